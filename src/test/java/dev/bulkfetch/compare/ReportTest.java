package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report page's charts, from made-up runs: what each chart draws. */
class ReportTest {

    private static final Pattern CHARTS = Pattern.compile("const DATA = (.*);");

    @TempDir
    Path dir;

    private static Measurement run(String engine, int c, double wall) {
        return new Measurement(engine, c, 1, 100, 100, Map.of(), wall, 10.0, 20.0, 1.0, 0.5, 9,
                50L << 20, 120L << 20, c);
    }

    private static Comparison.Result result(List<EngineKind> engines, List<Measurement> runs) {
        Comparison.Plan plan = new Comparison.Plan(Path.of("list.txt"), engines,
                List.of(16, 128), 1, 0, null, FetchConfig.builder().build());
        List<Row> rows = Comparison.rows(plan, runs);
        return new Comparison.Result(plan, runs, rows, Verdict.of(rows), false, List.of());
    }

    private JsonNode charts(Comparison.Result result) throws Exception {
        String html = Files.readString(Report.write(result, dir));
        Matcher data = CHARTS.matcher(html);
        assertThat(data.find()).as("the page's chart data").isTrue();
        return Fork.JSON.readTree(data.group(1));
    }

    /**
     * Serial alone ran at no level of the parallel engines', and the charts were drawn over
     * none: four empty frames. Serial is charted at its own -c 1, the only series.
     */
    @Test
    void aSerialOnlyComparisonChartsTheSerialRunAtItsOwnLevel() throws Exception {
        JsonNode charts = charts(result(List.of(EngineKind.SERIAL),
                List.of(run("serial", 1, 2.0))));

        assertThat(charts.get("levels")).extracting(JsonNode::asInt).containsExactly(1);
        assertThat(charts.get("rps")).singleElement().satisfies(set -> {
            assertThat(set.get("label").asText()).startsWith("serial");
            assertThat(set.get("data")).extracting(JsonNode::asDouble).containsExactly(50.0);
        });
        assertThat(charts.get("p99").get(0).get("data")).extracting(JsonNode::asDouble)
                .containsExactly(20.0);
        assertThat(charts.get("threads").get(0).get("data")).extracting(JsonNode::asDouble)
                .containsExactly(9.0);
        assertThat(charts.get("rss").get(0).get("data")).extracting(JsonNode::asDouble)
                .containsExactly(120.0);
        assertThat(Files.readString(dir.resolve("report.html")))
                .contains("Only serial ran: each chart has its one run, at -c 1");
    }

    /** Every run failed: no chart, a line saying why, and each failed run with its log. */
    @Test
    void whenNoRunFinishedTheChartsAreLeftOutSayingWhy() throws Exception {
        Comparison.Plan plan = new Comparison.Plan(Path.of("list.txt"),
                List.of(EngineKind.THREADS), List.of(16), 1, 0, null,
                FetchConfig.builder().build());
        Path log = dir.resolve("measured-run-threads-c16-1-7.log");
        Comparison.Result result = new Comparison.Result(plan, List.of(), List.of(),
                "No run finished: nothing to compare.", false, List.of(new Comparison.FailedRun(
                        "threads", 16, 1, 134, "its JVM exited 134 (ended by signal 6)", log)));

        String html = Files.readString(Report.write(result, dir));

        assertThat(html).doesNotContain("<canvas").contains("No run finished: nothing to chart.")
                .contains("1 of 1 runs failed (threads -c 16 run 1")
                // Not "Of the runs that finished: No run finished" (an exploratory test).
                .contains("; logs named under the table). No run finished: nothing to compare.")
                .contains("threads -c 16 run 1/1 failed: its JVM exited 134 (ended by signal 6);"
                        + " its log: " + log);
        JsonNode failed = Fork.JSON.readTree(dir.resolve("runs.json").toFile())
                .get("failed_runs");
        assertThat(failed).singleElement().satisfies(run -> {
            assertThat(run.get("exit_code").asInt()).isEqualTo(134);
            assertThat(run.get("log").asText()).isEqualTo(log.toString());
        });
    }

    /**
     * Every item refused: the verdict said "Nothing to compare", yet the table showed a
     * speedup (1.4x) and an efficiency (21%) of runs that fetched nothing. A run with no ok
     * item has neither, as "-" in the table and the page, and null in runs.json.
     */
    @Test
    void aRunWithNoOkItemHasNoSpeedupNorEfficiencyInTheTableThePageOrRunsJson()
            throws Exception {
        List<Measurement> refused = List.of(refused("serial", 1, 0.7),
                refused("threads", 16, 0.5), refused("threads", 128, 0.45));
        Comparison.Result result = result(List.of(EngineKind.THREADS, EngineKind.SERIAL),
                refused);

        assertThat(result.verdict()).startsWith("Nothing to compare");
        assertThat(result.rows()).allSatisfy(row -> {
            assertThat(row.speedup()).isNull();
            assertThat(row.efficiency()).isNull();
        });
        String html = Files.readString(Report.write(result, dir));
        for (String table : List.of(Comparison.table(result), html)) {
            assertThat(table.lines().filter(l -> l.matches("(threads|serial) .*")))
                    .hasSize(3).allSatisfy(line -> assertThat(line).endsWith(" -      -"));
        }
        JsonNode rows = Fork.JSON.readTree(dir.resolve("runs.json").toFile()).get("rows");
        assertThat(rows).hasSize(3).allSatisfy(row -> {
            assertThat(row.path("speedup").isMissingNode() || row.get("speedup").isNull())
                    .isTrue();
            assertThat(row.path("efficiency").isMissingNode() || row.get("efficiency").isNull())
                    .isTrue();
        });
    }

    /**
     * From a helper's report: a run the verdict does not rank, as it failed more items than
     * the best run, showed a speedup and an efficiency all the same when some of its items
     * were ok (a server that went away half-way: 2.0x serial). It has neither, as a run with
     * no ok item has none: "-" in the table and the page, null in runs.json.
     */
    @Test
    void anUnrankedRunWithSomeOkItemsHasNoSpeedupNorEfficiency() throws Exception {
        Measurement halfRefused = new Measurement("threads", 128, 1, 100, 50,
                Map.of("connect", 50L), 0.5, 10.0, 20.0, 1.0, 0.3, 9, 50L << 20, 120L << 20, 128);
        Comparison.Result result = result(List.of(EngineKind.THREADS, EngineKind.SERIAL),
                List.of(run("threads", 16, 0.5), halfRefused, run("serial", 1, 1.0)));

        assertThat(Verdict.unranked(result.rows())).extracting(Row::concurrency)
                .containsExactly(128);
        String html = Files.readString(Report.write(result, dir));
        for (String table : List.of(Comparison.table(result), html)) {
            assertThat(table.lines().filter(l -> l.matches("threads +128 .*"))).singleElement()
                    .satisfies(line -> assertThat(line).contains(" 50! ").endsWith(" -      -"));
            // The ranked runs keep theirs.
            assertThat(table.lines().filter(l -> l.matches("threads +16 .*"))).singleElement()
                    .satisfies(line -> assertThat(line).contains(" 2.0x "));
        }
        JsonNode rows = Fork.JSON.readTree(dir.resolve("runs.json").toFile()).get("rows");
        assertThat(rows).filteredOn(row -> row.get("concurrency").asInt() == 128)
                .singleElement().satisfies(row -> {
                    assertThat(row.get("speedup").isNull()).isTrue();
                    assertThat(row.get("efficiency").isNull()).isTrue();
                });
        assertThat(rows).filteredOn(row -> row.get("concurrency").asInt() == 16)
                .singleElement().satisfies(row ->
                        assertThat(row.get("speedup").asDouble()).isEqualTo(2.0));
    }

    /** A run of 100 items, each refused at once, as by a server that is down. */
    private static Measurement refused(String engine, int c, double wall) {
        return new Measurement(engine, c, 1, 100, 0, Map.of("connect", 100L), wall, 1.0, 2.0, 0.1,
                0.3, 9, 50L << 20, 120L << 20, c);
    }

    @Test
    void withParallelRunsSerialIsDrawnFlatAcrossTheirLevels() throws Exception {
        JsonNode charts = charts(result(List.of(EngineKind.THREADS, EngineKind.SERIAL),
                List.of(run("threads", 16, 0.5), run("threads", 128, 0.25),
                        run("serial", 1, 2.0))));

        assertThat(charts.get("levels")).extracting(JsonNode::asInt).containsExactly(16, 128);
        assertThat(charts.get("rps")).hasSize(2);
        assertThat(charts.get("rps").get(0).get("data")).extracting(JsonNode::asDouble)
                .containsExactly(200.0, 400.0);
        assertThat(charts.get("rps").get(1).get("data")).extracting(JsonNode::asDouble)
                .containsExactly(50.0, 50.0);
        assertThat(Files.readString(dir.resolve("report.html"))).doesNotContain("Only serial")
                .doesNotContain("<!--CHART_NOTE-->");
    }
}
