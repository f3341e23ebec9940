package dev.bulkfetch.cli;

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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * After a probe: --summary-json - wrote a file named '-'. It is stdout now, as the input's and
 * -o's '-' are, and a usage error when the records go there too, where the two would mix.
 */
class SummaryToStdoutTest {

    @TempDir
    Path dir;

    @Test
    void aSummaryToStdoutBesideRecordsInAFileIsTheWholeOfStdout() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 3);
            Path out = dir.resolve("out.jsonl");

            Cli.Result result = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--summary-json", "-", "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            JsonNode summary = Records.json(result.out());
            assertThat(summary.get("items").asLong()).isEqualTo(3);
            assertThat(summary.get("all_ok").asBoolean()).isTrue();
            assertThat(result.out()).endsWith("}\n");
            assertThat(Records.read(out)).hasSize(3);
        }
        assertThat(Path.of("-")).doesNotExist();
    }

    /**
     * And so is one to /dev/stdout, the same stream by its name in /dev (after an exploratory
     * test: accepted, it wrote the summary on the end of the records).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"-|", "-|-o -", "/dev/stdout|", "/dev/stdout|-o -",
        "-|-o /dev/stdout", "/dev/stdout|-o /dev/stdout"})
    void aSummaryToStdoutWhereTheRecordsGoIsAUsageErrorNamingBoth(String summary,
                                                                 String output)
            throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 2);
            String line = "fetch " + list + " --summary-json " + summary + " "
                    + (output == null ? "" : output);

            Cli.Result result = Cli.run(line.strip().split(" "));

            assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
            String named = output == null || output.equals("-o -")
                    ? " names stdout, where the records go without -o (or with -o -)"
                    : " and --output /dev/stdout both name stdout";
            assertThat(result.err()).startsWith("--summary-json " + summary + named
                    + ", and the summary and the records would mix: give -o FILE for the"
                    + " records, or --summary-json FILE\n");
            assertThat(result.out()).isEmpty();
            assertThat(server.counter().served()).isZero();
        }
    }

    /** So is the file stdout was sent to, by its own name: {@code > out.txt}. */
    @Test
    void aSummaryToTheFileStdoutWasSentToBesideTheRecordsIsAUsageError() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 2);
            Path stdout = dir.resolve("out.txt");
            Path err = dir.resolve("err.txt");

            Process child = Child.startWithOutput(stdout, err, "fetch", list.toString(),
                    "--summary-json", stdout.toString());

            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(ExitCodes.USAGE);
            assertThat(Files.readString(err)).contains("--summary-json " + stdout
                    + " names stdout, where the records go without -o");
            assertThat(server.counter().served()).isZero();
        }
    }

    /**
     * But a device stdout goes to too is no stream of records: -o and --summary-json may
     * share /dev/null (after a review: {@code --summary-json /dev/null > /dev/null} was
     * refused as the records and the summary mixing).
     */
    @Test
    void aSummaryToDevNullWithStdoutThereTooIsWritten() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 2);
            Path err = dir.resolve("err.txt");

            Process child = Child.start(err, List.of(), "fetch", list.toString(),
                    "--summary-json", "/dev/null", "-q");

            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            // 0: both items fetched ok, their records and the summary gone to /dev/null.
            assertThat(child.exitValue()).as(Files.readString(err)).isZero();
        }
    }

    /**
     * A summary file given as a link is written through it, the link kept: /dev/stdout is
     * one (after a review: the earlier summary's removal deleted the link, /dev/stdout too,
     * as root). The earlier summary in the file it names is emptied as the run starts, so a
     * run that dies leaves none to be read as its own.
     */
    @Test
    void aSummaryGivenAsALinkIsEmptiedAtTheStartAndWrittenThroughTheLink() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = TestServer.write(dir.resolve("held.txt"),
                    server.url("/until-released/1") + "\n");
            Path target = TestServer.write(dir.resolve("summary-target.json"),
                    "{\"all_ok\":true}\n");
            Path link = Files.createSymbolicLink(dir.resolve("summary.json"), target);
            Process child = Child.start(dir.resolve("err.txt"), List.of(), "fetch",
                    list.toString(), "-o", dir.resolve("out.jsonl").toString(),
                    "--summary-json", link.toString(), "-q");
            long emptied;
            try {
                assertThat(Await.until(() -> server.counter().inFlight() >= 1, child,
                        Duration.ofSeconds(30))).isTrue();
                emptied = Files.size(target);
            } finally {
                server.counter().release();
            }

            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
            assertThat(emptied).as("the earlier summary, while the run was under way").isZero();
            assertThat(Files.isSymbolicLink(link)).isTrue();
            assertThat(Records.json(Files.readString(target)).get("items").asLong())
                    .isEqualTo(1);
        }
    }

    /**
     * A summary to /dev/stdout where stdout is appended to a log goes on the end of the log
     * (after a review: the log was emptied, its earlier runs' lines lost).
     */
    @Test
    void aSummaryToDevStdoutAppendedToALogKeepsTheLog() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 2);
            Path log = TestServer.write(dir.resolve("runs.log"), "run 1\nrun 2\n");

            Process child = Child.startAppendingOutput(log, dir.resolve("err.txt"), "fetch",
                    list.toString(), "-o", dir.resolve("out.jsonl").toString(),
                    "--summary-json", "/dev/stdout", "-q");

            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
            String text = Files.readString(log);
            assertThat(text).startsWith("run 1\nrun 2\n");
            assertThat(Records.json(text.substring("run 1\nrun 2\n".length()))
                    .get("items").asLong()).isEqualTo(2);
        }
    }

    /**
     * A regular file under /dev (/dev/shm) is a summary file like any: written afresh by each
     * run (after a review: taken for a stream by its name, it was appended to, one summary
     * after another, and an earlier one never cleared).
     */
    @Test
    void aSummaryFileInDevShmIsWrittenAfreshByEachRun() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm),
                "no /dev/shm here");
        Path folder = Files.createTempDirectory(shm, "bulkfetch-summary");
        try (TestServer server = new TestServer()) {
            Path summary = folder.resolve("summary.json");
            for (int items = 1; items <= 2; items++) {
                Path list = server.urlList(dir, "/ok/", items);
                Cli.Result result = Cli.run("fetch", list.toString(), "-o",
                        dir.resolve("out.jsonl").toString(), "--overwrite", "--summary-json",
                        summary.toString(), "-q");
                assertThat(result.exitCode()).as(result.err()).isZero();
            }

            assertThat(Records.json(Files.readString(summary)).get("items").asLong())
                    .isEqualTo(2);
            assertThat(Files.readAllLines(summary).stream()
                    .filter(line -> line.strip().equals("{")).count()).isEqualTo(1);
        } finally {
            try (var files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(folder);
        }
    }

    /** Written as a stopped run ends too, as the README says of --summary-json. */
    @Test
    void aRunStoppedBySigtermWritesItsSummaryToStdout() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = TestServer.write(dir.resolve("held.txt"),
                    server.url("/until-released/1") + "\n");
            Path out = dir.resolve("out.jsonl");
            Path stdout = dir.resolve("stdout.txt");
            Process child = Child.startWithOutput(stdout, dir.resolve("err.txt"), "fetch",
                    list.toString(), "-o", out.toString(), "--summary-json", "-", "-q",
                    "--grace", "1ms");
            try {
                assertThat(Child.signalAndWait(child, "TERM",
                        () -> server.counter().inFlight() >= 1, Duration.ofSeconds(30)))
                        .isTrue();
            } finally {
                server.counter().release();
            }

            assertThat(child.exitValue()).isEqualTo(143);
            JsonNode summary = Records.json(Files.readString(stdout));
            assertThat(summary.get("interrupted").asBoolean()).isTrue();
            assertThat(summary.get("all_ok").asBoolean()).isFalse();
            assertThat(Records.read(out)).isEqualTo(List.of());
        }
    }
}
