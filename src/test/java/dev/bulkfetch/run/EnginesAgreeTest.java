package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The same responses make the same records, whichever engine sent the requests. */
class EnginesAgreeTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @TempDir
    Path dir;

    /**
     * One run before the compared ones, so neither meets a cold server: with an idle timeout of
     * 300 ms (1 s now), a cold WireMock's first answers (class loading, its first compiles) came
     * late enough that the first run retried half its items, and the records differed by
     * attempts.
     */
    @org.junit.jupiter.api.BeforeAll
    static void warmUp(@TempDir Path dir) {
        String text = Stream.of("/ok/1", "/status/404/1", "/redirect/1", "/bytes/1",
                        "/fault/MALFORMED_RESPONSE_CHUNK/1", "/fault/RANDOM_DATA_THEN_CLOSE/1")
                .map(server::url).collect(Collectors.joining("\n", "", "\n"));
        Cli.run("fetch", TestServer.write(dir.resolve("warm.txt"), text).toString(), "-q",
                "--retries", "0");
    }

    private List<JsonNode> recordsOf(String engine) {
        String text = Stream.of("/ok/1", "/status/404/1", "/status/500/1", "/status/429/1",
                        "/redirect/1", "/loop/1", "/bytes/1", "/hang/1",
                        "/fault/CONNECTION_RESET_BY_PEER/1", "/fault/EMPTY_RESPONSE/1",
                        "/fault/MALFORMED_RESPONSE_CHUNK/1", "/fault/RANDOM_DATA_THEN_CLOSE/1")
                .map(server::url).collect(Collectors.joining("\n", "", "\nnot-a-url\n"));
        Path list = TestServer.write(dir.resolve("mixed.txt"), text);
        Cli.Result result = Cli.run("fetch", list.toString(), "-e", engine, "--ordered", "-q",
                "--max-body", "1KiB", "--idle-timeout", "1s", "--max-redirects", "3",
                // A stall past the idle timeout on a loaded machine would retry one item and
                // not the other's: timeouts are not retried here (/hang/ goes once, 1 s).
                "--retry-on", "connect,reset,429,502,503,504");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        return Records.parse(result.out()).stream().map(EnginesAgreeTest::withoutTimingAndEngine)
                .toList();
    }

    /** Latency differs run to run and the engine is named in each record: set both aside. */
    private static JsonNode withoutTimingAndEngine(JsonNode record) {
        ObjectNode copy = record.deepCopy();
        copy.remove("latency_ms");
        copy.remove("engine");
        if (copy.get("error").isObject()) {
            ((ObjectNode) copy.get("error")).remove("message");
        }
        return copy;
    }

    @ParameterizedTest
    @ValueSource(strings = {"threads", "virtual", "serial"})
    void everyEngineWritesTheRecordsTheEventLoopWrites(String engine) {
        List<JsonNode> expected = recordsOf("event-loop");
        assertThat(expected).hasSize(13);
        assertThat(expected.stream().map(r -> r.get("error").isNull() ? "ok"
                : r.get("error").get("kind").asText())).containsExactly("ok", "http", "http",
                "rate_limited", "ok", "http", "too_large", "timeout", "reset", "reset",
                "protocol", "protocol", "input");

        assertThat(recordsOf(engine)).containsExactlyElementsOf(expected);
    }
}
