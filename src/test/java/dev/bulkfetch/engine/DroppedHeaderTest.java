package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.Records;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
            Path list = Files.writeString(dir.resolve("list.txt"), server.url("/o") + "\n");
            Path out = dir.resolve("out.jsonl");
            Process child = Child.start(dir.resolve("err.txt"),
                    List.of("-Dsun.net.http.allowRestrictedHeaders=false"), "fetch",
                    list.toString(), "-e", "threads", "-H", "Origin: https://app.example.test",
                    "-q", "-o", out.toString());
            try {
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            List<JsonNode> records = Records.read(out);
            assertThat(records).as(Files.readString(dir.resolve("err.txt"))).hasSize(1);
            JsonNode error = records.get(0).get("error");
            assertThat(error.get("kind").asText()).isEqualTo("input");
            assertThat(error.get("message").asText()).contains("drops the header \"Origin\"");
            assertThat(server.requests()).isZero();
        }
    }
}
