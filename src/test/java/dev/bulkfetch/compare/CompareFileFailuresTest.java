package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare when its files cannot be made or written: what was measured is still reported. */
class CompareFileFailuresTest {

    @TempDir
    Path dir;

    /**
     * A run whose files could not be made (its folder removed while compare ran, a full disk)
     * ended the whole comparison with the exception, the runs measured before it lost. It is
     * a failed run, saying which file and why, and the runs after it go on.
     */
    @Test
    void aRunWhoseFilesCannotBeMadeFailsAloneAndTheRunsMeasuredAreKept() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 8);
            Path work = dir.resolve("work");
            Comparison.Plan plan = new Comparison.Plan(list, List.of(EngineKind.THREADS,
                    EngineKind.SERIAL, EngineKind.VIRTUAL), List.of(4), 1, 0, null,
                    FetchConfig.builder().build());
            StringWriter progress = new StringWriter();

            // The folder goes as the second run starts, as a --report DIR removed meanwhile.
            Comparison.Result result = Comparison.run(plan, new PrintWriter(progress), work,
                    engine -> {
                        if (engine == EngineKind.SERIAL) {
                            delete(work);
                        }
                        return Fork.java();
                    });

            assertThat(result.runs()).extracting(Measurement::engine).containsExactly("threads");
            assertThat(result.failed()).extracting(Comparison.FailedRun::engine)
                    .containsExactly("serial", "virtual");
            String why = "its measurement's file could not be made: "
                    + Pattern.quote(work.resolve(".bulkfetch-compare-measured-").toString())
                    + "[0-9]+\\.json: no such file or folder";
            assertThat(result.failed()).allSatisfy(failed -> {
                assertThat(failed.why()).matches(why);
                assertThat(failed.exitCode()).isNull();
                assertThat(failed.log()).isNull();
            });
            // Each said once, as it ended and under the table, with no log to name.
            assertThat(progress.toString().lines().filter(line -> line.contains(" failed: ")))
                    .hasSize(2).allMatch(line -> line.matches(".*run 1/1: failed: " + why));
            assertThat(Comparison.table(result).lines()
                    .filter(line -> line.contains(" failed: "))).hasSize(2)
                    .allMatch(line -> line.matches(".* -c \\d run 1/1 failed: " + why));
            assertThat(result.verdictWithFailures()).startsWith("2 of 3 runs failed (serial -c 1"
                    + " run 1, virtual -c 4 run 1; why under the table). Of the runs that"
                    + " finished: ");
            JsonNode json = Fork.JSON.readTree(Report.write(result, work).resolveSibling(
                    "runs.json").toFile());
            assertThat(json.get("runs")).hasSize(1);
            assertThat(json.get("failed_runs")).hasSize(2)
                    .allSatisfy(failed -> assertThat(failed.get("log").isNull()).isTrue());
        }
    }

    /**
     * A report that could not be written ended compare with the bare exception ("bulkfetch
     * compare: DIR/runs.json (Is a directory)"), the copies of the list the runs read left in
     * DIR. It is said naming the report and the file, after the table, and compare exits 1.
     */
    @Test
    void aReportThatCannotBeWrittenIsSaidNamingItsFileAfterTheTable() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 4);
            Path report = dir.resolve("report");
            Path inTheWay = Files.createDirectories(report.resolve("runs.json"));

            Cli.Result result = Cli.run("compare", list.toString(), "--engines", "serial",
                    "--warmup", "0", "--report", report.toString());

            assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
            assertThat(result.out()).containsPattern("(?m)^serial +1 ")
                    .contains("Verdict: Only the serial baseline ran").doesNotContain("Report:");
            assertThat(result.err()).contains("compare: " + inTheWay
                    + " could not be written: Is a directory")
                    .doesNotContain("bulkfetch compare:");
            try (var files = Files.list(report)) {
                assertThat(files.map(file -> file.getFileName().toString()))
                        .containsExactly("runs.json");
            }
        }
    }

    /**
     * A disk that filled up as report.html was written left it truncated, in place of an
     * earlier good one, and the message named the folder alone ("could not be written into
     * DIR: File too large"). Each file is written beside and moved over: the earlier one stays
     * whole, nothing half-written is left, and the message names the file, once: it named the
     * folder and then the file ("could not be written into rep: rep/report.html: File too
     * large").
     */
    @Test
    void aReportCutShortByAFullDiskLeavesTheEarlierOneWholeAndNamesItsFile() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 4);
            Path report = Files.createDirectories(dir.resolve("report"));
            Path html = TestServer.write(report.resolve("report.html"), "<p>the earlier</p>");
            Path err = dir.resolve("err.txt");
            // A file-size limit of 64 KiB, for compare and its runs, stands in for a disk
            // that fills up: runs.json fits, report.html (Chart.js inlined) does not.
            Process child = Child.startWithFileSizeLimit(err, 64 * 1024, "compare",
                    list.toString(), "--engines", "serial", "--warmup", "0", "--report",
                    report.toString());
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(child.exitValue()).as(Files.readString(err)).isEqualTo(1);
            assertThat(Files.readString(err)).contains("compare: " + html
                    + " could not be written: File too large")
                    .doesNotContain("written into");
            assertThat(html).hasContent("<p>the earlier</p>");
            try (var files = Files.list(report)) {
                assertThat(files.map(file -> file.getFileName().toString()))
                        .containsExactlyInAnyOrder("runs.json", "report.html");
            }
        }
    }

    private static void delete(Path tree) {
        try (var files = Files.walk(tree)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
