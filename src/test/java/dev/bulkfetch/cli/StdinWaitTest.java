package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Child;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StdinWaitTest {

    @TempDir
    Path dir;

    /**
     * A stop signal while fetch waits for stdin's first bytes ends it as a stopped run does:
     * the signal's exit code, the summary written as interrupted with nothing fetched, and -o
     * left as it was. The wait comes before the run's own handlers (it must, to keep -o whole
     * for a refused UTF-16 stdin): SIGTERM in it killed the JVM outright, with no summary, and
     * the last run's, all ok, was left to be read as this one's.
     */
    @Test
    void aSignalWhileWaitingForStdinEndsTheRunWithItsSummaryAndOutputKept() throws Exception {
        String earlier = "{\"seq\":1,\"ok\":true}\n";
        Path out = Files.writeString(dir.resolve("out.jsonl"), earlier);
        Path summary = Files.writeString(dir.resolve("summary.json"), "{\"all_ok\": true}");
        Path err = dir.resolve("err.txt");
        Process fetch = Child.startWithStdinPipe(err, "fetch", "-", "-o", out.toString(),
                "--overwrite", "--summary-json", summary.toString());
        try {
            assertThat(Await.until(() -> waitsForStdin(fetch), fetch, Duration.ofSeconds(60)))
                    .as("waiting for stdin").isTrue();
            Child.signal(fetch, "TERM");
            assertThat(fetch.waitFor(60, TimeUnit.SECONDS)).as("ended").isTrue();
        } finally {
            fetch.destroyForcibly();
            fetch.getOutputStream().close();
        }
        String said = Files.readString(err);
        assertThat(fetch.exitValue()).as(said).isEqualTo(143);
        assertThat(said).contains("terminated (SIGTERM) before stdin's first line came");
        JsonNode written = new ObjectMapper().readTree(summary.toFile());
        assertThat(written.get("interrupted").asBoolean()).as(written.toString()).isTrue();
        assertThat(written.get("items").asLong()).isZero();
        assertThat(written.get("all_ok").asBoolean()).isFalse();
        assertThat(Files.readString(out)).isEqualTo(earlier);
    }

    /** Whether the wait's thread is there: it starts once the wait's handlers are. */
    private static boolean waitsForStdin(Process fetch) throws IOException {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(fetch.pid()), "task"))) {
            return tasks.anyMatch(task -> {
                try {
                    return Files.readString(task.resolve("comm")).startsWith("bulkfetch-stdin");
                } catch (IOException gone) {
                    return false;
                }
            });
        }
    }
}
