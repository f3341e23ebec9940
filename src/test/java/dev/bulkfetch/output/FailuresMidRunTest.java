package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** A full disk and an impatient user, in real child processes. */
class FailuresMidRunTest {

    /** The file-size limit that stands in for a disk that fills up. */
    private static final long FULL_DISK = 16 * 1024;

    @TempDir
    Path dir;

    @Test
    void aFullDiskEndsTheRunWithAClearMessageAndAJournalToResumeFrom() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 500);
            Path out = dir.resolve("out.jsonl");
            Path err = dir.resolve("err.txt");
            Path summary = Files.writeString(dir.resolve("summary.json"), "{\"all_ok\": true}");
            // A file-size limit of 16 KiB stands in for a disk that fills up.
            Process child = Child.startWithFileSizeLimit(err, FULL_DISK, "fetch",
                    list.toString(), "-o", out.toString(), "-c", "8", "-q", "--summary-json",
                    summary.toString());
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(child.exitValue()).isEqualTo(1);
            assertThat(Files.readString(err)).contains("cannot write").contains("--resume")
                    .containsPattern("bulkfetch: [0-9]+ records written, 1 lost: writing them to "
                            + java.util.regex.Pattern.quote(out.toString()) + " failed \\(");
            String journal = Files.readString(out);
            assertThat(journal).endsWith("\n");
            assertThat(Records.parse(journal)).isNotEmpty().hasSizeLessThan(500);
            // The summary says what the run did: the records the journal holds, and the one
            // whose write failed (each is flushed as it is written), cut from it, apart.
            JsonNode json = Records.json(Files.readString(summary));
            assertThat(json.get("items").asLong()).isEqualTo(Records.parse(journal).size());
            assertThat(json.get("records_lost").asLong()).isEqualTo(1);
            assertThat(json.get("all_ok").asBoolean()).isFalse();

            Cli.Result resumed = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume", "-q");
            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            Map<Long, Long> perSeq = Records.read(out).stream().collect(Collectors.groupingBy(
                    r -> r.get("seq").asLong(), Collectors.counting()));
            assertThat(perSeq).hasSize(500);
            assertThat(perSeq.values()).containsOnly(1L);
        }
    }

    /**
     * After review: a run from stdin cannot be resumed (stdin cannot be read twice), and was
     * told to run again with --resume all the same, which is refused.
     */
    @Test
    void aFullDiskOnARunFromStdinDoesNotAdviseAResume() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 500);
            Path out = dir.resolve("out.jsonl");
            Path err = dir.resolve("err.txt");
            Process child = Child.startWithFileSizeLimit(list, err, FULL_DISK, "fetch", "-",
                    "-o", out.toString(), "-c", "8", "-q");
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(child.exitValue()).isEqualTo(1);
            assertThat(Files.readString(err)).contains("cannot write").doesNotContain("--resume");
        }
    }

    /**
     * A reader of stdout that goes away, as {@code | head -1} does: the run went on, fetched
     * every item and threw the records away, and ended with exit 0 and "all ok" (System.out
     * swallows a failed write). It stops now as when a file cannot be written.
     */
    @Test
    void aReaderOfStdoutThatGoesAwayStopsTheRun() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 5_000);
            Path err = dir.resolve("err.txt");
            Process child = Child.startPiped(err, "fetch", list.toString(), "-c", "8", "-q");
            try {
                assertThat(headOne(child)).contains("\"seq\"");

                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            assertThat(child.exitValue()).as(Files.readString(err)).isEqualTo(1);
            assertThat(Files.readString(err)).contains("cannot write the records");
        }
    }

    /**
     * A reader of stdout that goes away without a signal ({@code | head -1}) ended the run
     * with "cannot write the records: Broken pipe" alone: no summary on stderr and no
     * --summary-json, though both could still be written. The run says what it did now, as a
     * stopped pipeline's does: the records written, and the lost apart.
     */
    @Test
    void aReaderOfStdoutThatGoesAwayLeavesTheSummaryOfTheRecordsWrittenAndLost()
            throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 5_000);
            Path err = dir.resolve("err.txt");
            Path summary = dir.resolve("summary.json");
            Process child = Child.startPiped(err, "fetch", list.toString(), "-c", "8",
                    "--summary-json", summary.toString());
            try {
                assertThat(headOne(child)).contains("\"seq\"");

                assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("ended").isTrue();
            } finally {
                child.destroyForcibly();
            }
            String stderr = Files.readString(err);
            assertThat(child.exitValue()).as(stderr).isEqualTo(1);
            java.util.regex.Matcher stop = java.util.regex.Pattern.compile("(?m)^bulkfetch:"
                    + " (\\d+) records? written, (\\d+) lost: the reader of the records stopped"
                    + " \\(Broken pipe\\)$").matcher(stderr);
            assertThat(stop.find()).as(stderr).isTrue();
            long written = Long.parseLong(stop.group(1));
            long lost = Long.parseLong(stop.group(2));
            assertThat(lost).isPositive();
            // The error first, then the summary of what was done, then the count.
            assertThat(stderr).containsSubsequence(
                    "bulkfetch fetch: cannot write the records: Broken pipe",
                    written + (written == 1 ? " item: " : " items: ") + written + " ok",
                    "records lost: " + lost + ",", stop.group())
                    .doesNotContain("Exception").doesNotContain("held no item");
            JsonNode json = Records.json(Files.readString(summary));
            assertThat(json.get("items").asLong()).isEqualTo(written);
            assertThat(json.get("records_lost").asLong()).isEqualTo(lost);
            assertThat(json.get("interrupted").asBoolean()).isFalse();
            assertThat(json.get("all_ok").asBoolean()).isFalse();
        }
    }

    /**
     * A device that refuses every write, as a full disk does, named by -o: the run ended
     * with "cannot write the records" alone. It counts the record lost, and names the write
     * that failed.
     */
    @Test
    void aFullDeviceForTheRecordsLeavesTheSummaryOfTheRecordLost() throws Exception {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "no /dev/full");
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 20);
            Path summary = dir.resolve("summary.json");
            dev.bulkfetch.testing.Cli.Result result = dev.bulkfetch.testing.Cli.run("fetch",
                    list.toString(), "-o", full.toString(), "-c", "4", "--summary-json",
                    summary.toString());

            assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
            // Each record to a device is flushed as it is written: the first fails.
            assertThat(result.err()).containsSubsequence(
                    "bulkfetch fetch: cannot write the records: No space left on device",
                    "0 items: 0 ok", "records lost: 1,", "bulkfetch: 0 records written, 1 lost:"
                            + " writing them to /dev/full failed (No space left on device)")
                    .doesNotContain("held no item");
            JsonNode json = Records.json(Files.readString(summary));
            assertThat(json.get("items").asLong()).isZero();
            assertThat(json.get("records_lost").asLong()).isEqualTo(1);
            assertThat(json.get("all_ok").asBoolean()).isFalse();
        }
    }

    /**
     * Ctrl-C in a terminal reaches the whole pipeline (bulkfetch | jq), so the reader of stdout
     * is gone when the grace's records are written. That broken pipe ended the run with exit 1
     * and "cannot write the records", as if something had failed: it ends as a stopped run
     * does now, with the signal's exit code, its summary and --summary-json.
     */
    @ParameterizedTest
    @ValueSource(strings = {"-", "/dev/stdout"})
    void aReaderOfStdoutStoppedWithTheRunLeavesTheSignalsExitCode(String output)
            throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/until-released/", 4);
            Path err = dir.resolve("err.txt");
            Path summary = dir.resolve("summary.json");
            // -o naming a pipe (/dev/stdout, or >(gzip > f)) is read by another program too.
            Process child = Child.startPiped(err, "fetch", list.toString(), "-o", output, "-c",
                    "4", "--grace", "60s", "--summary-json", summary.toString());
            try {
                assertThat(Await.until(() -> server.counter().inFlight() == 4, child,
                        Duration.ofSeconds(60))).isTrue();
                Child.stopAndAwaitGrace(child, "TERM", err);
                // The reader stops, as a pipeline's does on the same signal.
                child.getInputStream().close();
                server.counter().release();

                assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("ended").isTrue();
            } finally {
                server.counter().release();
                child.destroyForcibly();
            }
            String stderr = Files.readString(err);
            assertThat(child.exitValue()).as(stderr).isEqualTo(143);
            // The first record's flush may break the pipe, before the others are written: the
            // summary counts the records written before that.
            assertThat(stderr).containsPattern("[0-4] items:").containsPattern("bulkfetch:"
                    + " terminated; [0-4] records written, [1-4] lost: the reader of the records"
                    + " stopped too \\(Broken pipe\\)").doesNotContain("cannot write")
                    .doesNotContain("Exception");
            JsonNode json = Records.json(Files.readString(summary));
            assertThat(json.get("interrupted").asBoolean()).isTrue();
            assertThat(json.get("items").asLong()).isBetween(0L, 4L);
        }
    }

    /**
     * The records the grace finished after the pipeline's reader stopped were counted in the
     * summary as if written: "8 items: 8 ok" on stderr and in --summary-json, with 4 records
     * read. The summary counts the records written now, and those lost apart.
     */
    @Test
    void aStoppedPipelinesSummaryCountsTheRecordsWrittenAndTheLostApart() throws Exception {
        try (TestServer server = new TestServer()) {
            StringBuilder text = new StringBuilder();
            for (int n = 1; n <= 4; n++) {
                text.append(server.url("/ok/" + n)).append('\n')
                        .append(server.url("/until-released/" + n)).append('\n');
            }
            Path list = TestServer.write(dir.resolve("half-held.txt"), text.toString());
            Path err = dir.resolve("err.txt");
            Path summary = dir.resolve("summary.json");
            Process child = Child.startPiped(err, "fetch", list.toString(), "-c", "8",
                    "--grace", "60s", "--summary-json", summary.toString());
            try {
                java.io.BufferedReader records = new java.io.BufferedReader(
                        new java.io.InputStreamReader(child.getInputStream(),
                                java.nio.charset.StandardCharsets.UTF_8));
                for (int n = 1; n <= 4; n++) {
                    assertThat(records.readLine()).contains("/ok/");
                }
                assertThat(Await.until(() -> server.counter().inFlight() == 4, child,
                        Duration.ofSeconds(60))).isTrue();
                Child.stopAndAwaitGrace(child, "TERM", err);
                records.close();  // the pipeline's reader, stopped by the same signal
                server.counter().release();

                assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("ended").isTrue();
            } finally {
                server.counter().release();
                child.destroyForcibly();
            }
            String stderr = Files.readString(err);
            assertThat(child.exitValue()).as(stderr).isEqualTo(143);
            // The first held record's write breaks the pipe; the run ends there, so 1 to 4
            // of them were lost, as they came one by one or together.
            assertThat(stderr).contains("4 items: 4 ok").containsPattern("records lost: [1-4],")
                    .containsPattern(
                    "bulkfetch: terminated; 4 records written, [1-4] lost: the reader of the"
                            + " records stopped too \\(Broken pipe\\)");
            JsonNode json = Records.json(Files.readString(summary));
            assertThat(json.get("items").asLong()).isEqualTo(4);
            assertThat(json.get("ok").asLong()).isEqualTo(4);
            assertThat(json.get("statuses").get("200").asLong()).isEqualTo(4);
            assertThat(json.get("records_lost").asLong()).isBetween(1L, 4L);
        }
    }

    /**
     * After review: SIGTERM stops a run as Ctrl-C does, but a run whose output is blocked (a
     * reader of stdout that stopped reading) could not end, and a supervisor's one SIGTERM
     * left it running for good. It exits 3 s after the grace all the same.
     */
    @Test
    void aRunStoppedBySigtermWhoseOutputIsBlockedExitsAfterTheGrace() throws Exception {
        try (TestServer server = new TestServer()) {
            // Records of 120 KB (each body byte is \u0000 in JSON): one fills the pipe.
            StringBuilder lines = new StringBuilder(server.url("/quick-held/1") + "\n");
            for (int i = 2; i <= 200; i++) {
                lines.append(server.url("/bytes/" + i)).append('\n');
            }
            Path list = TestServer.write(dir.resolve("big-records.txt"), lines.toString());
            Process child = Child.startPiped(dir.resolve("err.txt"), "fetch", list.toString(),
                    "-c", "8", "-q", "--include-body", "--max-body", "1MiB", "--grace", "1s");
            try {
                // Its stdout is never read: once the run is under way, its writes block.
                assertThat(Await.until(() -> server.counter().served() >= 1, child,
                        Duration.ofSeconds(60))).isTrue();
                Child.signal(child, "TERM");

                assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("ended").isTrue();
            } finally {
                child.destroyForcibly();
            }
            assertThat(child.exitValue()).isEqualTo(143);
            assertThat(Files.readString(dir.resolve("err.txt")))
                    .contains("the run did not end 3 s after the grace");
        }
    }

    @Test
    void aSecondCtrlCExitsAtOnceAndSaysSo() throws Exception {
        assertThat(secondCtrlC("-o", dir.resolve("out.jsonl").toString()))
                .contains("quitting at once").contains("--resume fetches it again");
        // Records on stdout: nothing to resume from, so no advice to.
        assertThat(secondCtrlC()).contains("quitting at once").doesNotContain("--resume");
    }

    /** Stops a run with two Ctrl-Cs and returns its stderr; it must exit 130 at once. */
    private String secondCtrlC(String... output) throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = TestServer.write(dir.resolve("hang.txt"), server.url("/long-held/1")
                    + "\n" + server.url("/hang/1") + "\n" + server.url("/hang/2") + "\n");
            Path err = dir.resolve("err.txt");
            List<String> args = new ArrayList<>(List.of("fetch", list.toString(), "--grace",
                    "60s", "--timeout", "2m"));
            args.addAll(List.of(output));
            Process child = Child.start(err, List.of(), args.toArray(String[]::new));
            Await.until(() -> server.counter().inFlight() > 0, child, Duration.ofSeconds(30));
            Child.signal(child, "INT");
            Child.awaitText(err, "interrupted", child, Duration.ofSeconds(30));
            Child.signalAgain(child, "INT");

            // At once: well within the 60 s grace the first Ctrl-C gave the requests held.
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(130);
            return Files.readString(err);
        }
    }

    /** The child's first line of stdout, its stdout then closed, as {@code | head -1} does. */
    private static String headOne(Process child) throws java.io.IOException {
        try (java.io.BufferedReader records = new java.io.BufferedReader(
                new java.io.InputStreamReader(child.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8))) {
            return records.readLine();
        }
    }
}
