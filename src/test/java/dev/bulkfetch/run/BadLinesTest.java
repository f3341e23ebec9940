package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadLinesTest {

    @TempDir
    Path dir;

    @Test
    void badLinesBecomeInputErrorsWithTheirLineNumberAndTheGoodLinesAroundThemSucceed()
            throws Exception {
        try (TestServer server = new TestServer()) {
            ByteArrayOutputStream list = new ByteArrayOutputStream();
            String[] lines = {
                "# a comment",                                   // 1
                server.url("/ok/1"),                              // 2
                "example.com/no-scheme",                          // 3
                "ftp://127.0.0.1/file",                           // 4
                "",                                               // 5
                server.url("/ok/2"),                              // 6
                "file:///etc/passwd",                             // 7
                server.url("/ok/with space"),                     // 8
                "http://",                                        // 9
                server.url("/ok/3") + "?q=" + "a".repeat(9000),   // 10
                "INVALID-UTF8",                                   // 11
                server.url("/ok/4"),                              // 12
            };
            for (String line : lines) {
                if (line.equals("INVALID-UTF8")) {
                    list.write(server.url("/ok/").getBytes(StandardCharsets.UTF_8));
                    list.write(new byte[] {(byte) 0xff, (byte) 0xfe});
                } else {
                    list.write(line.getBytes(StandardCharsets.UTF_8));
                }
                list.write('\n');
            }
            Path file = Files.write(dir.resolve("bad.txt"), list.toByteArray());

            Cli.Result result = Cli.run("fetch", file.toString(), "-q");

            assertThat(result.exitCode()).isEqualTo(1);
            Map<Long, JsonNode> bySeq = Records.parse(result.out()).stream().collect(
                    Collectors.toMap(r -> r.get("seq").asLong(), Function.identity()));
            assertThat(bySeq.keySet()).containsExactlyInAnyOrder(2L, 3L, 4L, 6L, 7L, 8L, 9L,
                    10L, 11L, 12L);
            for (long good : new long[] {2, 6, 12}) {
                assertThat(bySeq.get(good).get("ok").asBoolean()).as("line " + good).isTrue();
            }
            assertInputError(bySeq.get(3L), "no scheme");
            assertInputError(bySeq.get(4L), "scheme 'ftp' is not supported");
            assertInputError(bySeq.get(7L), "scheme 'file' is not supported");
            assertInputError(bySeq.get(8L), "space");
            assertInputError(bySeq.get(9L), "line 9");
            assertInputError(bySeq.get(10L), "longer than 8192 bytes");
            assertInputError(bySeq.get(11L), "not valid UTF-8");
            assertThat(bySeq.get(3L).get("url").asText()).isEqualTo("example.com/no-scheme");
        }
    }

    private static void assertInputError(JsonNode record, String messagePart) {
        assertThat(record.get("ok").asBoolean()).isFalse();
        assertThat(record.get("attempts").asInt()).isZero();
        assertThat(record.get("error").get("kind").asText()).isEqualTo("input");
        assertThat(record.get("error").get("message").asText())
                .startsWith("line " + record.get("seq").asLong() + ": ")
                .contains(messagePart);
    }

    /**
     * An item its engine cannot send (PATCH on the JDK's client) is an input error that was
     * sent no times, as every input error, and the items around it go on. After review: it
     * was the one input error that did not name its line.
     */
    @Test
    void anItemTheEngineCannotSendIsAnInputErrorSentNoTimes() throws Exception {
        try (TestServer server = new TestServer()) {
            Path specs = TestServer.write(dir.resolve("specs.jsonl"), String.join("\n",
                    "{\"url\": \"" + server.url("/ok/1") + "\"}",
                    "{\"url\": \"" + server.url("/ok/2") + "\", \"method\": \"PATCH\"}",
                    "{\"url\": \"" + server.url("/ok/3") + "\"}") + "\n");

            Cli.Result result = Cli.run("fetch", specs.toString(), "-e", "threads", "-q");

            assertThat(result.exitCode()).isEqualTo(1);
            Map<Long, JsonNode> bySeq = Records.parse(result.out()).stream().collect(
                    Collectors.toMap(r -> r.get("seq").asLong(), Function.identity()));
            assertThat(bySeq.get(1L).get("ok").asBoolean()).isTrue();
            assertThat(bySeq.get(3L).get("ok").asBoolean()).isTrue();
            JsonNode patch = bySeq.get(2L);
            assertThat(patch.get("error").get("kind").asText()).isEqualTo("input");
            assertThat(patch.get("error").get("message").asText())
                    .startsWith("line 2: the threads engine cannot send PATCH");
            assertThat(patch.get("attempts").asInt()).isZero();
        }
    }
}
