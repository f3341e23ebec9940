package dev.bulkfetch.compare;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulkfetch.output.FileErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Writes a comparison to a folder: {@code runs.json} with every run and the rows, and
 * {@code report.html}, four charts drawn by Chart.js, which is inlined so the page opens offline:
 * requests/s and p99 latency against concurrency, one line per engine, and peak threads and peak
 * resident memory per engine.
 */
public final class Report {

    private static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.4.7/dist/"
            + "chart.umd.js";

    private Report() {
    }

    /** The files a report's folder gets: the report's two and the runs' shared log. */
    public static final List<String> FILES = List.of("runs.json", "report.html", RunFiles.LOG);

    /**
     * Writes both files into {@code dir}, creating it; returns the HTML page's path. A file
     * that cannot be written fails with a message that says so, naming it and why ("DIR/
     * report.html could not be written: File too large"), and an earlier report's file of
     * that name is left as it was.
     */
    public static Path write(Comparison.Result result, Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            // Its message was the path alone ("/tmp/r"), which did not say what was wrong.
            throw new IOException(dir + " could not be made: " + FileErrors.reason(e), e);
        }
        ObjectNode json = data(result);
        Path runs = dir.resolve("runs.json");
        replace(runs, notWritten(runs, () -> Fork.JSON.copy()
                .enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json)));
        Path html = dir.resolve("report.html");
        replace(html, notWritten(html, () -> html(result, json)
                .getBytes(StandardCharsets.UTF_8)));
        return html;
    }

    /** What goes into a report's file, which may fail as it is made. */
    private interface Content {
        byte[] make() throws IOException;
    }

    /** {@code content}'s bytes; a failure to make them is said as {@code file}'s. */
    private static byte[] notWritten(Path file, Content content) throws IOException {
        try {
            return content.make();
        } catch (IOException e) {
            throw new IOException(file + " could not be written: " + FileErrors.reason(e), e);
        }
    }

    /**
     * Puts {@code bytes} in {@code file} whole or not at all: written to a new file beside it,
     * then moved over it. Written in place, a full disk left a truncated report.html where an
     * earlier good one had been. The new file goes when it cannot be finished or moved.
     */
    private static void replace(Path file, byte[] bytes) throws IOException {
        // Made as Files.write makes a file (umask permissions, not createTempFile's 0600),
        // under a name a compare killed as it wrote leaves for the next one to remove.
        Path part = ScratchFiles.part(file);
        boolean made = false;
        try {
            try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                made = true;
                out.write(bytes);
            }
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            if (made) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException stays) {
                    // The failure below is what the user needs to hear of.
                }
            }
            // A full disk's message ("No space left on device") named no file; the move's named
            // the part file. Named as the file the report has, once.
            throw new IOException(file + " could not be written: " + FileErrors.reason(e), e);
        }
    }

    private static ObjectNode data(Comparison.Result result) {
        ObjectNode root = Fork.JSON.createObjectNode();
        Comparison.Plan plan = result.plan();
        ObjectNode p = root.putObject("plan");
        p.put("urls", plan.urls().toString());
        p.putPOJO("engines", plan.engines().stream().map(Object::toString).toList());
        p.putPOJO("concurrencies", plan.concurrencies());
        p.put("repeat", plan.repeat());
        p.put("warmup", plan.warmup());
        p.put("server_delay_ms", plan.serverDelay() == null ? null
                : plan.serverDelay().toMillis());
        root.putPOJO("runs", result.runs());
        // Runs whose JVM failed: not in "runs" or "rows", as they measured nothing.
        ArrayNode failed = root.putArray("failed_runs");
        for (Comparison.FailedRun run : result.failed()) {
            ObjectNode f = failed.addObject();
            f.put("engine", run.engine());
            f.put("concurrency", run.concurrency());
            f.put("repeat", run.repeat());
            f.put("exit_code", run.exitCode());
            f.put("why", run.why());
            f.put("log", run.log() == null ? null : run.log().toString());
        }
        root.putPOJO("rows", result.rows());
        root.put("verdict", result.verdict());
        // Stopped by a signal (Ctrl-C, SIGTERM, SIGHUP): the runs that finished, fewer than
        // the plan's.
        root.put("interrupted", result.interrupted());
        root.put("java", System.getProperty("java.version"));
        root.put("cores", Runtime.getRuntime().availableProcessors());
        return root;
    }

    private static String html(Comparison.Result result, ObjectNode json) throws IOException {
        List<Row> rows = result.rows();
        TreeSet<Integer> levels = rows.stream().filter(r -> !r.engine().equals("serial"))
                .map(Row::concurrency).collect(Collectors.toCollection(TreeSet::new));
        // Serial alone has no parallel level to be drawn flat across: each chart had no level
        // and was an empty frame. Its own -c 1 is the one level then.
        boolean serialAlone = levels.isEmpty() && !rows.isEmpty();
        if (serialAlone) {
            rows.forEach(row -> levels.add(row.concurrency()));
        }
        ObjectNode charts = Fork.JSON.createObjectNode();
        charts.putPOJO("levels", levels);
        charts.set("rps", series(rows, levels, Row::requestsPerSecond, serialAlone));
        // A row that sent nothing has no p99: a gap in its line, not a point at 0.
        charts.set("p99", series(rows, levels, row -> row.p99Millis() == null ? Double.NaN
                : row.p99Millis(), serialAlone));
        charts.set("threads", series(rows, levels, Row::peakThreads, serialAlone));
        charts.set("rss", series(rows, levels, Row::peakRssMiB, serialAlone));
        String template = resource("dev/bulkfetch/compare/report.html");
        if (rows.isEmpty()) {
            // Every run failed: four empty frames would say nothing the line does not.
            template = template.replaceAll("(?s)<!--CHARTS-->.*<!--/CHARTS-->",
                    "<p class=\"machine\">No run finished: nothing to chart.</p>");
        }
        return template
                .replace("/*CHART_JS*/", resource(CHART_JS).replace("</script", "<\\/script"))
                .replace("/*CHARTS*/", Fork.JSON.writeValueAsString(charts)
                        .replace("</", "<\\/"))
                // The engines that ran, not all four whatever ran.
                .replace("<!--ENGINES-->", escape(rows.stream().map(Row::engine).distinct()
                        .collect(Collectors.joining(", "))))
                .replace("<!--CHART_NOTE-->", serialAlone ? "<p class=\"machine\">Only serial"
                        + " ran: each chart has its one run, at -c 1, and no engine to set it"
                        + " against.</p>" : "")
                .replace("<!--TABLE-->", escape(Comparison.table(result)))
                .replace("<!--VERDICT-->", escape((result.interrupted()
                        ? "Interrupted: of the runs that finished. " : "")
                        + result.verdictWithFailures()))
                .replace("<!--MACHINE-->", escape(json.get("cores").asInt() + " cores, Java "
                        + json.get("java").asText() + ", " + result.plan().urls().getFileName()));
    }

    /**
     * One dataset per engine; serial, run only at -c 1, is drawn flat as the baseline, or
     * when {@code serialAlone} as itself, at its one level.
     */
    private static ArrayNode series(List<Row> rows, TreeSet<Integer> levels,
                                    ToDoubleFunction<Row> value, boolean serialAlone) {
        ArrayNode sets = Fork.JSON.createArrayNode();
        Map<String, List<Row>> byEngine = rows.stream().collect(Collectors.groupingBy(
                Row::engine, java.util.LinkedHashMap::new, Collectors.toList()));
        byEngine.forEach((engine, engineRows) -> {
            ObjectNode set = sets.addObject();
            boolean serial = engine.equals("serial");
            set.put("label", serialAlone ? "serial (-c 1)"
                    : serial ? "serial (-c 1, baseline)" : engine);
            ArrayNode points = set.putArray("data");
            for (int level : levels) {
                Row row = serial ? engineRows.getFirst() : engineRows.stream()
                        .filter(r -> r.concurrency() == level).findFirst().orElse(null);
                if (row == null || Double.isNaN(value.applyAsDouble(row))) {
                    points.addNull();
                } else {
                    points.add(Math.round(value.applyAsDouble(row) * 100) / 100.0);
                }
            }
            set.put("borderDash", serial && !serialAlone);
        });
        return sets;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Report.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing from the jar: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
