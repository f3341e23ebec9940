package dev.bulkfetch.compare;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.input.InputReader;
import dev.bulkfetch.input.UrlPasswords;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Runs one URL list through each engine at each concurrency, each run forked into its own JVM,
 * {@code repeat} times, and reduces the runs to a row of medians per engine and concurrency.
 * Repeats are the outer loop, so a slow patch of the machine spreads over every engine instead
 * of landing on one. The serial engine runs once per repeat, at concurrency 1: it is the
 * baseline every speedup is quoted against.
 */
public final class Comparison {

    /**
     * What to compare.
     *
     * @param urls the URL list
     * @param engines engines to run
     * @param concurrencies levels for every engine but serial
     * @param repeat runs of each engine and level; the table shows medians
     * @param warmup items run before each measured run, in the same JVM
     * @param serverDelay the server's fixed latency when known (e.g. the mock's delay stub),
     *     for the ideal wall time; {@code null} to estimate it from the serial run
     * @param base timeouts and limits every run shares
     * @param mockPort the port of the mock the runs' URLs on 127.0.0.1:8089 go to, as
     *     {@code fetch --mock} sends them; {@code null} when the runs go without a mock
     * @param requests the headers every request gets, and the file of the certificates
     *     {@code base} trusts, which the runs read again
     */
    public record Plan(Path urls, List<EngineKind> engines, List<Integer> concurrencies,
                       int repeat, int warmup, Duration serverDelay, FetchConfig base,
                       Integer mockPort, Requests requests) {

        /** A plan whose runs go without a mock, their requests as their lines say. */
        public Plan(Path urls, List<EngineKind> engines, List<Integer> concurrencies,
                    int repeat, int warmup, Duration serverDelay, FetchConfig base) {
            this(urls, engines, concurrencies, repeat, warmup, serverDelay, base, null,
                    Requests.AS_LISTED);
        }

        public Plan {
            Objects.requireNonNull(urls, "urls");
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(requests, "requests");
            engines = List.copyOf(engines);
            concurrencies = concurrencies.stream().distinct().sorted().toList();
            if (engines.isEmpty()) {
                throw new IllegalArgumentException("no engine to compare");
            }
            if (concurrencies.isEmpty() && !engines.equals(List.of(EngineKind.SERIAL))) {
                throw new IllegalArgumentException("no concurrency level to compare");
            }
            if (repeat < 1) {
                throw new IllegalArgumentException("repeat < 1: " + repeat);
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("warmup < 0: " + warmup);
            }
            // Each run reads the certificates again from their file: ones in base alone would
            // be trusted by no run, which then failed every item on its handshake.
            if (!base.trustedCertificates().isEmpty() && requests.cacert() == null) {
                throw new IllegalArgumentException("base trusts certificates the runs cannot"
                        + " read again: give their PEM file as the requests' cacert");
            }
        }
    }

    /**
     * How the list's lines become requests, and what every request gets that its line does
     * not say: compare's {@code --input-format}, its {@code -X} method for a URL list's lines
     * and its {@code -H} headers (a request spec's own override them, as fetch's do), and the
     * PEM file of {@code --cacert}, whose certificates each run, in a JVM of its own, reads
     * again.
     *
     * @param format how the list is read; {@code AUTO} by the name of the file the runs read,
     *     which for a pipe is a copy named after it ({@code 63} for {@code /dev/fd/63})
     * @param method the method of a URL list's requests, in upper case
     * @param headers in the order given
     * @param cacert the file, or {@code null} for the JDK's certificate authorities
     */
    public record Requests(InputReader.Format format, String method, Map<String, String> headers,
                           Path cacert) {
        /** Requests as their lines say, trusting the JDK's authorities (or {@code -k}). */
        public static final Requests AS_LISTED = new Requests(Map.of(), null);

        public Requests {
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(method, "method");
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        /** A list read as its name says, its lines {@code method} requests. */
        public Requests(String method, Map<String, String> headers, Path cacert) {
            this(InputReader.Format.AUTO, method, headers, cacert);
        }

        /** GETs of a URL list's lines, with {@code headers}, trusting {@code cacert}. */
        public Requests(Map<String, String> headers, Path cacert) {
            this("GET", headers, cacert);
        }

        /** The format {@code list} is read as, the file a run reads. */
        public InputReader.Format formatOf(Path list) {
            return format.of(list.toString());
        }

        /** The headers' names, not their values, which may be tokens; the file. */
        @Override
        public String toString() {
            StringJoiner names = new StringJoiner(", ", "{", "}");
            headers.keySet().forEach(name -> names.add(name + "=" + UrlPasswords.MASK));
            return "Requests[format=" + format.cliName() + ", method=" + method + ", headers="
                    + names + ", cacert=" + cacert + "]";
        }
    }

    /**
     * A measured run that ended without a measurement: its JVM exited non-zero, crashed, or
     * could not start, or its files could not be made or read.
     *
     * @param exitCode the JVM's exit code, 128 + the signal's number when a signal ended it;
     *     {@code null} when it could not start, or its files failed
     * @param why what went wrong, in words
     * @param log the run's own log, kept: its standard error and why it counts as failed;
     *     {@code null} when it has none, as when its files could not be made
     */
    public record FailedRun(String engine, int concurrency, int repeat, Integer exitCode,
                            String why, Path log) {

        /** "; its log: LOG" after the run's reason, or nothing when it has no log. */
        String itsLog() {
            return log == null ? "" : "; its log: " + log;
        }
    }

    /**
     * The outcome: every run that finished, the rows of medians, the verdict in words, and the
     * runs that failed. An interrupted comparison has the runs that ended before it was stopped.
     */
    public record Result(Plan plan, List<Measurement> runs, List<Row> rows, String verdict,
                         boolean interrupted, List<FailedRun> failed) {
        public Result {
            runs = List.copyOf(runs);
            rows = List.copyOf(rows);
            failed = List.copyOf(failed);
        }

        /**
         * Whether the runs can be ranked: each fetched about as much as the best one, and
         * something came back ok. When not, the verdict says why. A failed run does not
         * change this: it is not in the rows, and the caller says it failed.
         */
        public boolean sound() {
            return Verdict.sound(rows);
        }

        /**
         * The verdict, after "1 of 3 runs failed (...). Of the runs that finished: " when a run
         * failed: the page and the text both say it where the verdict is read.
         */
        public String verdictWithFailures() {
            if (failed.isEmpty()) {
                return verdict;
            }
            return failed.size() + " of " + (failed.size() + runs.size()) + " runs failed ("
                    + failed.stream().map(run -> run.engine() + " -c " + run.concurrency()
                            + " run " + run.repeat()).collect(java.util.stream.Collectors
                            .joining(", "))
                    + (failed.stream().anyMatch(run -> run.log() != null)
                            ? "; logs named under the table" : "; why under the table")
                    + (runs.isEmpty() ? "). " : "). Of the runs that finished: ") + verdict;
        }

        /** The same outcome, of {@code other}: the plan the user gave, not the one run. */
        public Result withPlan(Plan other) {
            return new Result(other, runs, rows, verdict, interrupted, failed);
        }
    }

    private Comparison() {
    }

    /**
     * Runs the plan, reporting each run on {@code progress} as it ends. An interrupt of the
     * calling thread stops the run going on (its JVM with it) and returns the runs finished.
     * A run whose JVM fails, or whose files cannot be made, is reported as failed, with its
     * log if it has one, and the plan goes on: the runs before it are kept, and one engine's
     * crash at one level says nothing of the rest.
     */
    public static Result run(Plan plan, PrintWriter progress, Path workDir) throws IOException {
        return run(plan, progress, new RunFiles(workDir));
    }

    /**
     * As {@link #run(Plan, PrintWriter, Path)}, the runs' files made among {@code files}, which
     * a compare quitting at once closes: the runs then make none.
     */
    public static Result run(Plan plan, PrintWriter progress, RunFiles files)
            throws IOException {
        return run(plan, progress, files, engine -> Fork.java());
    }

    /**
     * As {@link #run(Plan, PrintWriter, Path)}, each engine's JVMs started by its {@code
     * javaBinary}: a test's way to a run whose JVM cannot start.
     */
    static Result run(Plan plan, PrintWriter progress, Path workDir,
                      java.util.function.Function<EngineKind, Path> javaBinary) throws IOException {
        return run(plan, progress, new RunFiles(workDir), javaBinary);
    }

    /** As {@link #run(Plan, PrintWriter, RunFiles)}, each engine's JVMs started by its java. */
    static Result run(Plan plan, PrintWriter progress, RunFiles files,
                      java.util.function.Function<EngineKind, Path> javaBinary) throws IOException {
        Files.createDirectories(files.folder());
        List<Measurement> runs = new ArrayList<>();
        List<FailedRun> failed = new ArrayList<>();
        boolean interrupted = false;
        try {
            for (int r = 1; r <= plan.repeat(); r++) {
                for (EngineKind engine : plan.engines()) {
                    for (int c : levels(plan, engine)) {
                        if (Thread.interrupted()) {
                            throw new InterruptedException();
                        }
                        FetchConfig config = FetchConfig.builder().from(plan.base())
                                .engine(engine).concurrency(c).ordered(false).build();
                        String run = String.format(Locale.ROOT, "  %-10s -c %-5d run %d/%d: ",
                                engine, c, r, plan.repeat());
                        try {
                            Measurement m = Fork.run(javaBinary.apply(engine), config, plan,
                                    r, files);
                            runs.add(m);
                            progress.printf(Locale.ROOT, "%s%.2f s, %.0f req/s, %d failed%n",
                                    run, m.wallSeconds(), m.requestsPerSecond(), m.failures());
                        } catch (Fork.Failed e) {
                            failed.add(new FailedRun(engine.toString(), c, r, e.exitCode(),
                                    e.getMessage(), e.log()));
                            progress.println(run + "failed: " + e.getMessage()
                                    + failed.getLast().itsLog());
                        }
                        progress.flush();
                    }
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        List<Row> rows = rows(plan, runs);
        // With no run finished there is nothing to judge: the verdict would have said the
        // list had nothing to send.
        String verdict = runs.isEmpty() && !failed.isEmpty()
                ? "No run finished: nothing to compare." : Verdict.of(rows);
        return new Result(plan, runs, rows, verdict, interrupted, failed);
    }

    /**
     * How many runs the plan makes: each engine at each of its levels, each repeat. A long:
     * --repeat 2000000000 over three levels was "Interrupted after 14 of 1705032704 runs".
     */
    public static long plannedRuns(Plan plan) {
        return (long) plan.repeat() * plan.engines().stream()
                .mapToInt(engine -> levels(plan, engine).size()).sum();
    }

    /** The concurrencies {@code engine} runs at: serial, the baseline, at 1 alone. */
    private static List<Integer> levels(Plan plan, EngineKind engine) {
        return engine == EngineKind.SERIAL ? List.of(1) : plan.concurrencies();
    }

    /** The result's rows as a plain-text table, with a line for each run that failed. */
    public static String table(Result result) {
        StringBuilder table = new StringBuilder(Table.render(result.rows()));
        for (FailedRun run : result.failed()) {
            table.append(String.format(Locale.ROOT, "%s -c %d run %d/%d failed: %s%s%n",
                    run.engine(), run.concurrency(), run.repeat(), result.plan().repeat(),
                    run.why(), run.itsLog()));
        }
        return table.toString();
    }

    /** Medians per engine and concurrency, with speedup over serial and efficiency. */
    static List<Row> rows(Plan plan, List<Measurement> runs) {
        Map<String, List<Measurement>> groups = new LinkedHashMap<>();
        for (Measurement m : runs) {
            groups.computeIfAbsent(m.engine() + "@" + m.concurrency(), k -> new ArrayList<>())
                    .add(m);
        }
        List<Row> medians = groups.values().stream().map(Row::of)
                .sorted(Comparator.comparing((Row row) -> engineOrder(row.engine()))
                        .thenComparingInt(Row::concurrency))
                .toList();
        // A serial run the verdict cannot rank (it fetched much less than the best), or with
        // no ok item, is no baseline either: its speedups and efficiencies were figures of
        // nothing (0.1x, 1%).
        List<Row> unranked = Verdict.unranked(medians);
        Row serial = medians.stream().filter(row -> row.engine().equals("serial"))
                .filter(row -> !unranked.contains(row)).filter(Row::anyOk).findFirst()
                .orElse(null);
        List<Row> rows = new ArrayList<>();
        for (Row row : medians) {
            if (!row.anyOk() || unranked.contains(row)) {
                // A run that sent nothing timed only its JVM, one whose every item failed
                // only its failures (1.4x serial, 21% of a refused list): no ratio of either
                // means anything. Nor of one the verdict leaves out for failing more items
                // than the best run, though some were ok: its failures were quick work, and
                // its ratios sat in the table beside runs that did it all.
                rows.add(row);
                continue;
            }
            Double speedup = serial == null ? null : serial.wallSeconds() / row.wallSeconds();
            Double ideal = idealWall(plan, row, serial);
            rows.add(row.withRatios(speedup, ideal == null ? null : ideal / row.wallSeconds()));
        }
        return List.copyOf(rows);
    }

    /**
     * The wall time a perfect client would need: ceil(N / c) x the server's delay when it is
     * known, else the serial run's summed latencies spread over c.
     */
    static Double idealWall(Plan plan, Row row, Row serial) {
        if (plan.serverDelay() != null) {
            long waves = (row.sent() + row.concurrency() - 1) / row.concurrency();
            return waves * plan.serverDelay().toNanos() / 1e9;
        }
        if (serial != null && serial.sent() > 0) {
            return serial.sumLatencySeconds() / row.concurrency();
        }
        return null;
    }

    private static int engineOrder(String name) {
        return EngineKind.fromName(name).ordinal();
    }
}
