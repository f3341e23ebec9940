package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counts said on stderr read as words do: "1 item", not "1 items". */
class PluralsTest {

    @TempDir
    Path dir;

    @Test
    void countsAreSingularForOne() {
        assertThat(Options.count(1, "record")).isEqualTo("1 record");
        assertThat(Options.count(0, "record")).isEqualTo("0 records");
        assertThat(Options.count(2, "byte")).isEqualTo("2 bytes");
    }

    /** The summary's and a resume's counts; the JSON summary's fields stay as they are. */
    @Test
    void oneItemAndOneKeptRecordAreSingular() throws Exception {
        try (TestServer server = new TestServer()) {
            Path one = server.urlList(dir, "/ok/", 1);
            Path list = server.urlList(dir, "/ok/", 2);
            Path out = dir.resolve("out.jsonl");
            Path summary = dir.resolve("summary.json");

            Cli.Result first = Cli.run("fetch", one.toString(), "--summary-json",
                    summary.toString());
            Cli.Result both = Cli.run("fetch", list.toString(), "-o", out.toString(), "-q");
            // As a run stopped after its first record leaves it.
            Files.writeString(out, Files.readAllLines(out).getFirst() + "\n");
            Cli.Result resumed = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume");

            assertThat(first.exitCode()).as(first.err()).isZero();
            assertThat(first.err()).contains("1 item: 1 ok, 0 failed").doesNotContain("items");
            assertThat(Records.json(Files.readString(summary)).get("items").asLong())
                    .isEqualTo(1);
            assertThat(both.exitCode()).as(both.err()).isZero();
            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            assertThat(resumed.err()).contains("resuming: 1 record kept")
                    .contains("kept from earlier runs: 1 record, 0 not ok")
                    .contains("1 item: 1 ok").doesNotContain("1 records");
        }
    }

    @Test
    void aStoppedRunSaysOneRecordWritten() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/until-released/", 1);
            Path err = dir.resolve("err.txt");
            Process child = Child.start(err, List.of(), "fetch", list.toString(), "-o",
                    dir.resolve("out.jsonl").toString(), "--grace", "60s");
            try {
                assertThat(Await.until(() -> server.counter().inFlight() == 1, child,
                        Duration.ofSeconds(60))).isTrue();
                Child.stopAndAwaitGrace(child, "TERM", err);
                server.counter().release();
                assertThat(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            } finally {
                server.counter().release();
                child.destroyForcibly();
            }
            String stderr = Files.readString(err);
            assertThat(child.exitValue()).as(stderr).isEqualTo(143);
            assertThat(stderr).contains("1 item:").contains("; 1 record written")
                    .doesNotContain("1 records");
        }
    }
}
