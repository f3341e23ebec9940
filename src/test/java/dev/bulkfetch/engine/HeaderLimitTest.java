package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.RawServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The JDK's jdk.http.maxHeaderSize limits a response's headers on every engine; the event loop
 * kept 384 KiB whatever it said. The JDK reads it once, so each case runs in its own JVM.
 */
class HeaderLimitTest {

    // 20 KB of headers: under the default limit, over a limit of 16 KiB.
    private static final String TWENTY_KB = "HTTP/1.1 200 OK\r\nX-Filler: " + "f".repeat(20_000)
            + "\r\nContent-Length: 2\r\n\r\nok";

    @ParameterizedTest
    @EnumSource
    void aLowerLimitMakesLongHeadersAProtocolError(EngineKind kind, @TempDir Path dir)
            throws Exception {
        assertThat(fetch(kind, dir, List.of("-Djdk.http.maxHeaderSize=16384")).get("error")
                .get("kind").asText()).isEqualTo("protocol");
        assertThat(fetch(kind, dir, List.of()).get("status").asInt()).isEqualTo(200);
    }

    @Test
    void theLimitIsReadAsTheJdkReadsIt() {
        assertThat(EventLoopEngine.maxHeaderBytes(null)).isEqualTo(384 * 1024);
        assertThat(EventLoopEngine.maxHeaderBytes("16384")).isEqualTo(16384);
        assertThat(EventLoopEngine.maxHeaderBytes("0")).isEqualTo(Integer.MAX_VALUE);
        assertThat(EventLoopEngine.maxHeaderBytes("-1")).isEqualTo(Integer.MAX_VALUE);
        assertThat(EventLoopEngine.maxHeaderBytes("lots")).isEqualTo(384 * 1024);
    }

    private static JsonNode fetch(EngineKind kind, Path dir, List<String> jvmArgs)
            throws Exception {
        try (RawServer server = RawServer.answering(TWENTY_KB)) {
            return Child.fetchOne(dir, jvmArgs, server.url("/h"), "-e", kind.cliName(),
                    "--retries", "0");
        }
    }
}
