package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every hostile server ends as its item's classified record within the configured timeouts,
 * on every engine, and the rest of the run succeeds.
 */
class HostileServerTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"event-loop", "threads", "virtual"})
    void eachHostileServerIsOneClassifiedRecordAndTheRestOfTheRunSucceeds(String engine)
            throws Exception {
        try (TestServer wiremock = new TestServer();
             RawServer silent = new RawServer(RawServer.Mode.NEVER_ANSWER);
             RawServer shortBody = new RawServer(RawServer.Mode.SHORT_BODY);
             RawServer huge = new RawServer(RawServer.Mode.ONE_GIB);
             RawServer closeDelimited = new RawServer(RawServer.Mode.CLOSE_DELIMITED);
             RawServer endlessRedirect = new RawServer(
                     RawServer.Mode.REDIRECT_WITH_ENDLESS_BODY)) {
            String text = String.join("\n",
                    wiremock.url("/ok/1"),
                    wiremock.url("/fault/CONNECTION_RESET_BY_PEER/1"),
                    wiremock.url("/fault/EMPTY_RESPONSE/1"),
                    wiremock.url("/fault/MALFORMED_RESPONSE_CHUNK/1"),
                    wiremock.url("/fault/RANDOM_DATA_THEN_CLOSE/1"),
                    silent.url("/never"),
                    wiremock.url("/dribble/1"),
                    wiremock.url("/loop/1"),
                    huge.url("/gigabyte"),
                    shortBody.url("/short"),
                    wiremock.url("/ok/2"),
                    closeDelimited.url("/valid"),
                    endlessRedirect.url("/moved")) + "\n";
            Path list = dir.resolve("hostile.txt");
            TestServer.write(list, text);
            long start = System.nanoTime();

            Cli.Result result = Cli.run("fetch", list.toString(), "-e", engine, "-c", "12",
                    "--timeout", "1500ms", "--idle-timeout", "1s", "--retries", "0", "-q");

            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(seconds).as("everything ends within the timeouts").isLessThan(8);
            assertThat(result.exitCode()).isEqualTo(1);
            List<JsonNode> records = Records.parse(result.out());
            Map<Long, JsonNode> bySeq = records.stream().collect(Collectors.toMap(
                    r -> r.get("seq").asLong(), Function.identity()));
            assertThat(bySeq).hasSize(13);
            assertThat(kind(bySeq, 1)).isEqualTo("ok");
            assertThat(kind(bySeq, 2)).isEqualTo("reset");
            assertThat(kind(bySeq, 3)).isEqualTo("reset");
            assertThat(kind(bySeq, 4)).isEqualTo("protocol");
            assertThat(kind(bySeq, 5)).isEqualTo("protocol");
            assertThat(kind(bySeq, 6)).isEqualTo("timeout");
            assertThat(kind(bySeq, 7)).as("dribble past --timeout").isEqualTo("timeout");
            assertThat(kind(bySeq, 8)).as("redirect loop").isEqualTo("http");
            assertThat(bySeq.get(8L).get("status").asInt()).isEqualTo(302);
            assertThat(bySeq.get(8L).get("error").get("message").asText())
                    .isEqualTo("HTTP 302: more than 5 redirects"
                            + " (--max-redirects 5, the library's maxRedirects)");
            assertThat(kind(bySeq, 9)).as("1 GiB body").isEqualTo("too_large");
            assertThat(bySeq.get(9L).get("bytes").asLong()).isEqualTo(10L * 1024 * 1024 + 1);
            assertThat(kind(bySeq, 10)).as("body shorter than Content-Length")
                    .isEqualTo("protocol");
            assertThat(kind(bySeq, 11)).isEqualTo("ok");
            assertThat(kind(bySeq, 12)).as("a body that ends with the connection is valid")
                    .isEqualTo("ok");
            assertThat(bySeq.get(12L).get("bytes").asLong()).isEqualTo("until the end".length());
            assertThat(kind(bySeq, 13)).as("a redirect whose body never ends is followed")
                    .isEqualTo("ok");
            assertThat(bySeq.get(13L).get("bytes").asLong()).isEqualTo("landed".length());
        }
    }

    private static String kind(Map<Long, JsonNode> bySeq, long seq) {
        JsonNode error = bySeq.get(seq).get("error");
        return error.isNull() ? "ok" : error.get("kind").asText();
    }
}
