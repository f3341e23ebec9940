package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.RawServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the JDK has read sun.net.http.allowRestrictedHeaders as false (here the user set it; in
 * a library host, code that used HttpURLConnection first), a header it would drop makes the
 * item an input error on a blocking engine, not a request sent without it.
 */
class DroppedHeaderTest {

    @Test
    void aHeaderTheJdkWouldDropIsAnInputErrorNotLeftOut(@TempDir Path dir) throws Exception {
        try (RawServer server = RawServer.answering(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) {
            JsonNode record = Child.fetchOne(dir,
                    List.of("-Dsun.net.http.allowRestrictedHeaders=false"), server.url("/o"),
                    "-e", "threads", "-H", "Origin: https://app.example.test");
            JsonNode error = record.get("error");
            assertThat(error.get("kind").asText()).isEqualTo("input");
            assertThat(error.get("message").asText()).contains("drops the header \"Origin\"");
            assertThat(server.requests()).isZero();
        }
    }

    /**
     * After review: with no Content-Length to set, an empty body was streamed as no bytes,
     * and the JDK sent a GET given output as a POST (with a form Content-Type), under a record
     * that said GET. Such a request now goes without a body: a GET stays a GET.
     */
    @Test
    void anEmptyBodyWhereNoLengthCanBeSetLeavesTheMethodAsItIs(@TempDir Path dir)
            throws Exception {
        for (String method : List.of("GET", "DELETE")) {
            try (RawServer server = RawServer.answering(
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) {
                // The child reads its one line as a JSON Lines spec.
                JsonNode record = Child.fetchOne(dir,
                        List.of("-Dsun.net.http.allowRestrictedHeaders=false"),
                        "{\"url\":\"" + server.url("/e") + "\",\"method\":\"" + method
                                + "\",\"body\":\"\"}", "-e", "threads", "--input-format",
                        "jsonl");
                assertThat(record.get("status").asInt()).as(method).isEqualTo(200);
                String head = server.lastHead().toLowerCase(java.util.Locale.ROOT);
                assertThat(head).as(method).startsWith(method.toLowerCase(java.util.Locale.ROOT)
                        + " /e ").doesNotContain("content-type");
            }
        }
    }
}
