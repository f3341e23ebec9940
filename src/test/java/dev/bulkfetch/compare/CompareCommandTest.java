package dev.bulkfetch.compare;

import static dev.bulkfetch.compare.CompareFolders.compareFolders;
import static dev.bulkfetch.testing.TmpDir.inTemporaryFolder;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.RefusedPort;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare} end to end on a small list: table, verdict, JSON and the HTML charts. */
class CompareCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesTheTableTheJsonAndTheHtmlPageWithBothChartsAndReportsFailuresPerEngine()
            throws Exception {
        try (TestServer server = new TestServer()) {
            String text = IntStream.rangeClosed(1, 30).mapToObj(n -> server.url("/ok/" + n))
                    .collect(Collectors.joining("\n", "", "\n"))
                    + server.url("/status/404/1") + "\n"
                    + server.url("/fault/CONNECTION_RESET_BY_PEER/1") + "\n";
            Path list = TestServer.write(dir.resolve("small.txt"), text);
            Path report = dir.resolve("report");

            Cli.Result result = Cli.run("compare", list.toString(), "-c", "2,4", "--warmup", "5",
                    "--report", report.toString());

            assertThat(result.exitCode()).as(result.err()).isZero();
            String out = result.out();
            for (String engine : new String[] {"event-loop", "threads", "virtual"}) {
                assertThat(out).containsPattern("(?m)^" + engine + " +2 ")
                        .containsPattern("(?m)^" + engine + " +4 ");
                assertThat(out).contains(engine + " -c 4: http 1, reset 1");
            }
            assertThat(out).containsPattern("(?m)^serial +1 .* 1\\.0x");
            assertThat(out).contains("Verdict: Fastest: ");

            JsonNode runs = Records.json(Files.readString(report.resolve("runs.json")));
            assertThat(runs.get("runs")).hasSize(7);
            for (JsonNode run : runs.get("runs")) {
                assertThat(run.get("items").asLong()).isEqualTo(32);
                assertThat(run.get("ok").asLong()).isEqualTo(30);
                assertThat(run.get("peak_threads").asInt()).isPositive();
                assertThat(run.get("cpu_seconds").asDouble()).isPositive();
            }
            assertThat(runs.get("rows")).hasSize(7);
            assertThat(runs.get("rows").get(0).has("peak_rss_mib")).isTrue();
            assertThat(runs.get("rows").get(0).has("peak_heap_mib")).isTrue();

            String html = Files.readString(report.resolve("report.html"));
            assertThat(html).contains("<canvas id=\"chart-rps\">")
                    .contains("<canvas id=\"chart-p99\">")
                    .contains("<canvas id=\"chart-threads\">")
                    .contains("<canvas id=\"chart-rss\">")
                    .contains("Chart.js v4")
                    .contains("\"label\":\"event-loop\"")
                    .doesNotContain("/*CHARTS*/").doesNotContain("/*CHART_JS*/");
        }
    }

    /**
     * req/s is one figure wherever it shows: the progress line and runs.json divided every
     * item by the wall time, the table only the requests sent, so a list with input errors
     * (here 12 of 16 lines, which send nothing) showed four times the table's rate.
     */
    @Test
    void theProgressLineRunsJsonAndTheTableShowTheSameRequestsPerSecond() throws Exception {
        try (TestServer server = new TestServer()) {
            String text = IntStream.rangeClosed(1, 4).mapToObj(n -> server.url("/ok/" + n)
                    + "\nnot a url " + n + "\nnot a url either " + n + "\nftp://x/" + n)
                    .collect(Collectors.joining("\n", "", "\n"));
            Path list = TestServer.write(dir.resolve("mixed.txt"), text);
            Path report = dir.resolve("report");

            Cli.Result result = Cli.run("compare", list.toString(), "--engines", "serial",
                    "--warmup", "0", "--report", report.toString());

            assertThat(result.exitCode()).as(result.err()).isZero();
            JsonNode run = Records.json(Files.readString(report.resolve("runs.json")))
                    .get("runs").get(0);
            assertThat(run.get("items").asLong()).isEqualTo(16);
            assertThat(run.get("errors").get("input").asLong()).isEqualTo(12);
            double rate = run.get("requests_per_second").asDouble();
            assertThat(rate).isCloseTo(4 / run.get("wall_seconds").asDouble(),
                    org.assertj.core.data.Offset.offset(1e-6));
            String shown = String.format(java.util.Locale.ROOT, "%.0f", rate);
            assertThat(result.err()).containsPattern("run 1/1: [0-9.]+ s, " + shown + " req/s");
            assertThat(result.out()).containsPattern("(?m)^serial +1 +[0-9.]+ +" + shown + " ");
        }
    }

    /**
     * With nothing answering, every engine fails every item at once: compare named the quickest
     * to fail the fastest and exited 0. It also left its temporary folder behind.
     */
    @Test
    void withNoServerThereIsNoWinnerTheExitCodeIsOneAndNoTemporaryFolderIsLeft()
            throws Exception {
        try (RefusedPort dead = new RefusedPort()) {
            Path list = TestServer.write(dir.resolve("dead.txt"), IntStream.rangeClosed(1, 20)
                    .mapToObj(n -> dead.url("/" + n))
                    .collect(Collectors.joining("\n", "", "\n")));
            Path tmp = Files.createDirectories(dir.resolve("tmp"));

            Cli.Result result = inTemporaryFolder(tmp, () -> Cli.run("compare",
                    list.toString(), "-c", "2", "--warmup", "0", "--engines",
                    "event-loop,threads"));

            assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
            assertThat(result.out()).contains("Verdict: Nothing to compare: every item failed"
                    + " in every run (connect 20). Is the server up?").doesNotContain("Fastest");
            assertThat(compareFolders(tmp)).isEmpty();
        }
    }

    /**
     * After review: tidying a report folder deleted every built-in/ and urls-on-port-*
     * folder in it, made by this run or not: the user's list in one was gone, and so was the
     * copy another compare into the same folder was reading. Only this run's copies go now,
     * and runs.json names the list the user gave, not the copy the runs read.
     */
    @Test
    void aReportFolderKeepsWhatItHeldAndNamesTheListGiven() throws Exception {
        Path report = Files.createDirectories(dir.resolve("report"));
        Path mine = TestServer.write(Files.createDirectories(report.resolve("built-in"))
                .resolve("mylist.txt"), "http://127.0.0.1:8089/items/1\n"
                        + "http://127.0.0.1:8089/items/2\n");
        Path notes = TestServer.write(Files.createDirectories(report.resolve(
                "urls-on-port-1234")).resolve("notes.txt"), "keep");

        Cli.Result result = Cli.run("compare", mine.toString(), "--mock", "--mock-port", "0",
                "--engines", "serial", "--warmup", "0", "--repeat", "1", "--report",
                report.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(mine).exists();
        assertThat(notes).hasContent("keep");
        try (var files = Files.list(report)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(
                    "runs.json", "report.html", "built-in", "urls-on-port-1234");
        }
        assertThat(Records.json(Files.readString(report.resolve("runs.json")))
                .get("plan").get("urls").asText()).isEqualTo(mine.toString());
        Cli.Result portWithoutMock = Cli.run("compare", mine.toString(), "--mock-port", "9");
        assertThat(portWithoutMock.exitCode()).isEqualTo(2);
        assertThat(portWithoutMock.err()).contains("--mock-port").contains("--mock");
    }
}
