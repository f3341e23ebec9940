package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EveryItemOneRecordTest {

    @TempDir
    Path dir;

    @Test
    void tenThousandUrlsGiveTenThousandRecordsWithNoSeqMissingOrRepeated() {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 10_000);
            Path out = dir.resolve("out.jsonl");

            Cli.Result result = Cli.run("fetch", list.toString(), "-c", "64", "-o",
                    out.toString(), "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            List<JsonNode> records = Records.read(out);
            Map<Long, Long> countBySeq = records.stream().collect(Collectors.groupingBy(
                    r -> r.get("seq").asLong(), Collectors.counting()));
            assertThat(countBySeq).hasSize(10_000);
            assertThat(countBySeq.keySet()).allMatch(seq -> seq >= 1 && seq <= 10_000);
            assertThat(countBySeq.values()).containsOnly(1L);
            assertThat(records).allMatch(r -> r.get("ok").asBoolean());
            Map<String, JsonNode> byUrl = records.stream().collect(Collectors.toMap(
                    r -> r.get("url").asText(), Function.identity()));
            assertThat(byUrl.get(server.url("/ok/777")).get("seq").asLong()).isEqualTo(777);
        }
    }
}
