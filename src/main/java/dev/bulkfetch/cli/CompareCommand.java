package dev.bulkfetch.cli;

import static dev.bulkfetch.cli.Options.duration;
import static dev.bulkfetch.cli.Options.option;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.compare.Comparison;
import dev.bulkfetch.compare.FolderLock;
import dev.bulkfetch.compare.KilledTempFolders;
import dev.bulkfetch.compare.RepeatedSends;
import dev.bulkfetch.compare.Report;
import dev.bulkfetch.compare.RunFiles;
import dev.bulkfetch.compare.ScratchFiles;
import dev.bulkfetch.compare.TempFolder;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.RetryPolicy;
import dev.bulkfetch.input.InputReader;
import dev.bulkfetch.mock.MockServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

/** {@code bulkfetch compare}: the same list through each engine and concurrency, measured. */
final class CompareCommand implements Callable<Integer> {

    // What a -X or -H only the event loop sends is refused with.
    private static final String COMPARE_EVENT_LOOP = "compare --engines event-loop";

    final CommandSpec spec;
    String input;
    final MockOptions mockOptions = new MockOptions("Serve the list from the embedded WireMock"
            + " (on when no URLS are given).");
    List<String> engines;
    List<Integer> concurrencies;
    int repeat = 1;
    int warmup = 200;
    Duration serverDelay;
    Path report;
    List<String> headers = new ArrayList<>();
    String method;
    String inputFormat = "auto";
    final TrustOptions trust = new TrustOptions();
    final RequestOptions requestOptions = new RequestOptions();

    CompareCommand() {
        spec = declare();
    }

    /** The command's model, its options bound to this object's fields. */
    private CommandSpec declare() {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("compare");
        spec.usageMessage().sortOptions(false).description(
                "Fetch the same URL list with each engine at each concurrency, each run in a JVM "
                        + "of its own after a warm-up, and print a table of medians with the "
                        + "speedup over serial, and a verdict.",
                "With no URLS it runs urls/demo.txt against the embedded mock.");
        Options options = new Options(spec)
                .add(PositionalParamSpec.builder().index("0").arity("0..1").paramLabel("URLS")
                        .type(String.class)
                        .description("A URL list, or JSON Lines request specs (see "
                                + "--input-format), read as fetch reads them (default: "
                                + "urls/demo.txt with --mock)."),
                        () -> input, v -> input = v)
                .add(Options.inputFormat(), () -> inputFormat, v -> inputFormat = v);
        mockOptions.addTo(options);
        options.add(option("--engines").paramLabel("NAME").type(List.class)
                        .auxiliaryTypes(String.class).splitRegex(",")
                        .defaultValue("event-loop,threads,virtual,serial")
                        .description("Engines to compare (default: ${DEFAULT-VALUE})."),
                        () -> engines, v -> engines = v)
                .add(option("-c", "--concurrency").paramLabel("N").type(List.class)
                        .auxiliaryTypes(Integer.class).splitRegex("\\s*,\\s*")
                        .defaultValue("16,128,1024")
                        .description("Concurrency levels; serial always runs at 1 "
                                + "(default: ${DEFAULT-VALUE})."),
                        () -> concurrencies, v -> concurrencies = v)
                .add(option("--repeat").paramLabel("N").type(int.class).defaultValue("1")
                        .description("Runs of each engine and level; the table shows medians "
                                + "(default: ${DEFAULT-VALUE})."),
                        () -> repeat, v -> repeat = v)
                .add(option("--warmup").paramLabel("N").type(int.class).defaultValue("200")
                        .description("Items run before each measured run "
                                + "(default: ${DEFAULT-VALUE})."),
                        () -> warmup, v -> warmup = v)
                .add(duration("--server-delay")
                        .description("The server's fixed latency, when known, for the ideal wall "
                                + "time ceil(N / c) x delay; otherwise the ideal is the serial "
                                + "run's summed latency / c."),
                        () -> serverDelay, v -> serverDelay = v)
                .add(option("--report").paramLabel("DIR").type(Path.class)
                        .description("Write runs.json and report.html (charts) into DIR."),
                        () -> report, v -> report = v)
                .add(option("-X", "--method").paramLabel("METHOD").type(String.class)
                        .defaultValue("GET")
                        .description("HTTP method for every request of a URL list, as fetch "
                                + "sends it (default: ${DEFAULT-VALUE})."),
                        () -> method, v -> method = v)
                .add(option("-H", "--header").paramLabel("'NAME: VALUE'").type(List.class)
                        .auxiliaryTypes(String.class)
                        .description("A header for every request (repeatable), as fetch "
                                + "sends it; JSON Lines specs may override it."),
                        () -> headers, v -> headers = v);
        trust.addTo(options);
        requestOptions.addTo(options);
        options.helpAndVersion(new BulkfetchCommand.Version());
        return spec;
    }

    @Override
    public Integer call() throws Exception {
        boolean useMock;
        String list = input == null ? "urls/demo.txt" : input;
        // In the words -o and fetch's other file options use.
        Options.refuseEmptyName(spec, "--report", report);
        Comparison.Plan plan;
        try {
            // The plan checks these too, in its own words; here each error names its option.
            // As picocli names it for -c abc, and fetch for -c 0.
            Options.named("--concurrency",
                    () -> concurrencies.stream().map(c -> FetchConfig.builder().concurrency(c))
                            .toList());
            if (repeat < 1) {
                throw new IllegalArgumentException("--repeat: must be 1 or more: " + repeat);
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("--warmup: must be 0 or more: " + warmup);
            }
            useMock = mockOptions.wanted(input == null);
            List<EngineKind> kinds = Options.named("--engines", () -> engines.stream()
                    .map(EngineKind::fromName).distinct().toList());
            if ("-".equals(input)) {
                // Each run reads the list again, in a JVM of its own: stdin is read once.
                // Named as the argument it is: "Invalid value:" alone named nothing.
                throw new ParameterException(spec.commandLine(), "Invalid value for the list"
                        + " '-' (stdin): compare reads its list in every run, and stdin can be"
                        + " read once: give the list as a file, or as <(command)");
            }
            // Resolved by the name given: a pipe's copy, which the runs read, has another.
            InputReader.Format format = Options.inputFormat(spec.commandLine(), inputFormat)
                    .of(list);
            if (input == null && format == InputReader.Format.JSONL) {
                // Every item of it an input error, found only after every run.
                throw new ParameterException(spec.commandLine(), "Invalid value for option"
                        + " '--input-format': jsonl, but with no URLS compare runs the"
                        + " built-in demo, a URL list: give your specs as URLS");
            }
            // A name under urls/ as fetch takes it (compare demo.txt ran nothing).
            plan = new Comparison.Plan(input == null ? Path.of(list)
                    : dev.bulkfetch.input.UrlListReader.resolve(list), kinds, concurrencies,
                    repeat, warmup,
                    serverDelay, requestOptions.applyTo(trust.applyTo(FetchConfig.builder(),
                            spec)
                            // Compare measures engines, not a retry policy: each item is sent
                            // once, so a failing item costs every engine the same.
                            .retries(RetryPolicy.NONE)).build(), null,
                    new Comparison.Requests(format, Options.method(spec.commandLine(), method,
                            kinds, COMPARE_EVENT_LOOP), Options.headerMap(spec.commandLine(),
                            headers, kinds, COMPARE_EVENT_LOOP), trust.cacert));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(),
                    Options.invalidValue(null, e.getMessage()));
        }
        // The demo list ships in the jar too, so the main job runs from any folder.
        boolean builtInList = input == null && !Files.exists(plan.urls());
        if (!builtInList && !Files.isReadable(plan.urls())) {
            throw new ParameterException(spec.commandLine(), "input file not found: " + list
                    + CurlHabits.urlAsList(list, false));
        }
        if (Files.isDirectory(plan.urls())) {
            // Caught here, not by each forked run after the mock has started.
            throw new ParameterException(spec.commandLine(), "input " + list
                    + " is a folder, not a URL list");
        }
        if (!builtInList) {
            // A list in UTF-16, say, is refused here, once, as fetch refuses it: each forked run
            // failed on it with a log of its own.
            InputReader.checkOpens(plan.urls().toString());
        }
        // Held from before the mock starts (a second compare with --mock was refused for the
        // mock's port, not for the folder) until compare ends, a signal's tidy-up included.
        FolderLock folder = report == null ? null : ReportFolder.prepare(spec, report,
                plan.urls());
        if (folder != null && folder.said() != null) {
            spec.commandLine().getErr().println(folder.said());
        }
        try {
            return compare(plan, list, useMock, builtInList, folder);
        } finally {
            if (folder != null) {
                folder.close();
            }
        }
    }

    /** The runs, the report and the tidying, the command line checked and DIR held. */
    private int compare(Comparison.Plan plan, String list, boolean useMock, boolean builtInList,
                        FolderLock folder) throws Exception {
        // Started before the work folder is made: a mock that cannot start leaves none.
        MockServer mockServer = useMock ? mockOptions.start() : null;
        // Without --report, held as DIR is, so that a later compare tells it from the folder
        // of a compare killed outright, and removes only that.
        TempFolder temp = null;
        Path work;
        // The copies of the list the runs read, in a folder of this run's own: a folder of
        // the user's in --report DIR (or another compare's, sharing it) is never touched.
        Path copies;
        try {
            if (report == null) {
                temp = TempFolder.make();
            }
            work = report != null ? report : temp.path();
            copies = Files.createTempDirectory(work, ScratchFiles.LISTS);
        } catch (java.io.IOException | RuntimeException e) {
            if (temp != null) {
                // Its folder of the list's copies could not be made: it was left empty.
                try {
                    delete(temp.path());
                } catch (java.io.IOException | RuntimeException left) {
                    e.addSuppressed(left);
                }
                temp.close();
            }
            if (mockServer != null) {
                mockServer.close();
            }
            throw e;
        }
        TempFolder held = temp;
        // The holds on the folder, let go as compare ends, a signal's tidy-up included.
        Runnable letGo = () -> {
            if (held != null) {
                held.close();
            }
            if (folder != null) {
                folder.close();
            }
        };
        try {
            return compareIn(plan, list, mockServer, builtInList, work, copies, letGo);
        } finally {
            letGo.run();
        }
    }

    /** The runs, the report and the tidying, the mock started (or null), the folders held. */
    private int compareIn(Comparison.Plan plan, String list, MockServer mockServer,
                          boolean builtInList, Path work, Path copies, Runnable letGo)
            throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        boolean sound;
        List<Path> failedLogs;
        // The runs make their files through it, so that a tidy-up on a signal's thread can
        // first end their making: the runs' thread, stopping its run, made some after it.
        RunFiles files = new RunFiles(work);
        // A signal before the runs start, or after they end, ends the JVM through its shutdown
        // hooks: the temporary folder, or in --report DIR the copies and the unfinished run's
        // files, were left behind. A second one during the runs does this too, itself
        // (quitAtOnce).
        Thread tidyAtExit = new Thread(() -> tidyAfterStop(files, work, copies, letGo),
                "bulkfetch-compare-tidy");
        Runtime.getRuntime().addShutdownHook(tidyAtExit);
        try (MockServer server = mockServer) {
            // The folders of compares killed outright, in the system's temporary folder: a
            // compare that made one cannot remove it, and it holds a log of every run.
            String removed = KilledTempFolders.remove(report != null
                    ? report.resolve(FolderLock.FILE) : work).said();
            if (removed != null) {
                err.println(removed);
            }
            Path urls = plan.urls();
            // A pipe (<(...), a named one) is read once, here, for all the runs.
            boolean aPipe = !builtInList && !Files.isRegularFile(urls);
            // Byte for byte: the mock's URLs are pointed at its port by each run, at request
            // time, as fetch points them (a rewritten copy lost the lines URI could not parse
            // to port 8089, and re-serialized every spec, its body's numbers rounded).
            if (builtInList) {
                urls = builtInDemoList(copies);
            } else if (aPipe) {
                Path copy = copies.resolve(urls.getFileName());
                Files.copy(urls, copy);
                urls = copy;
            }
            err.println("compare: " + list + (server == null ? "" : " against the mock on "
                    + server.baseUrl()) + ", each run in its own JVM");
            Comparison.Plan runs = new Comparison.Plan(urls, plan.engines(),
                    plan.concurrencies(), plan.repeat(), plan.warmup(), plan.serverDelay(),
                    plan.base(), server == null ? null : server.port(), plan.requests());
            String repeatedSends = RepeatedSends.warning(runs);
            if (repeatedSends != null) {
                err.println(repeatedSends);
            }
            err.flush();
            Comparison.Result result;
            Interrupts.Stop stoppedBy;
            try (InterruptOnSignal signals = new InterruptOnSignal(Thread.currentThread(),
                    "stopping the run going on, then reporting the runs that finished", err,
                    code -> quitAtOnce(files, work, copies, letGo, code))) {
                result = Comparison.run(runs, err, files);
                stoppedBy = signals.stoppedBy();
            }
            // The report names the list the user gave, not the copy the runs read.
            result = result.withPlan(plan);
            // Only a signal interrupts the runs.
            Interrupts.Stop stop = stoppedBy == null ? Interrupts.Stop.INT : stoppedBy;
            boolean written = report(result, Comparison.plannedRuns(plan), stop, out, err);
            sound = result.sound() && result.failed().isEmpty() && written;
            // A run whose files could not be made has no log.
            failedLogs = result.failed().stream().map(Comparison.FailedRun::log)
                    .filter(java.util.Objects::nonNull).toList();
            int failed = result.failed().size();
            if (failed > 0) {
                err.println("compare: " + failed + " of " + (failed + result.runs().size())
                        + " runs failed: the table says why" + (failedLogs.isEmpty() ? ""
                        : " and names " + (failedLogs.size() == 1 ? "a log" : "their logs")
                        + ", kept in " + work));
            }
            if (result.interrupted()) {
                err.flush();
                tidy(work, copies, failedLogs);
                return stop.exitCode;
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(tidyAtExit);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs.
            }
        }
        tidy(work, copies, failedLogs);
        // Runs that cannot be ranked, or that failed, or a report that could not be written,
        // are a comparison that did not work out: its verdict, or a line of its own, says so.
        return sound ? ExitCodes.OK : ExitCodes.SOME_FAILED;
    }

    /**
     * The table, the verdict and the report files: of the runs that finished, when stopped
     * (by {@code stop}). Returns whether the report files, when asked for, were written: a
     * file that could not be is said on {@code err}, after the table.
     */
    private boolean report(Comparison.Result result, long planned, Interrupts.Stop stop,
                           PrintWriter out, PrintWriter err) {
        out.println();
        // A failed run is reported with its log though no run finished.
        boolean nothing = result.runs().isEmpty() && result.failed().isEmpty();
        if (result.interrupted()) {
            String said = stop.said();
            out.println(Character.toUpperCase(said.charAt(0)) + said.substring(1) + " after "
                    + (result.runs().size() + result.failed().size()) + " of " + planned
                    + " runs" + (nothing ? ": nothing to report."
                    : ": the table has the runs that finished."));
            if (nothing) {
                out.flush();
                return true;
            }
        }
        out.print(Comparison.table(result));
        out.println();
        out.println("Verdict: " + result.verdictWithFailures());
        out.flush();
        boolean written = true;
        if (report != null) {
            try {
                out.println("Report: " + Report.write(result, report));
            } catch (java.io.IOException e) {
                // Said, not thrown: the table above is what was measured, and the tidying
                // and the failed runs' line after it must still happen.
                // Its message names the file and why, once.
                err.println("compare: " + e.getMessage());
                written = false;
            }
            out.flush();
        }
        return written;
    }

    /**
     * Removes what the runs needed and no one asked for: the copies of the list, the forks'
     * shared log when nothing was written to it, and, without --report, the temporary folder,
     * unless it holds {@code failedLogs}, the logs of failed runs, which the table names.
     */
    private void tidy(Path work, Path copies, List<Path> failedLogs)
            throws java.io.IOException {
        Path log = work.resolve("runs.log");
        if (report == null && failedLogs.isEmpty()) {
            delete(work);
            return;
        }
        if (Files.exists(log) && Files.size(log) == 0) {
            Files.delete(log);
        }
        // The copies of the list the runs read, made by this run and named by no one.
        delete(copies);
    }

    /**
     * As {@link #tidy}, for a compare ended by a signal: the runs' {@code files} closed first,
     * so the runs' thread, still stopping its run, makes none after. The run going on was
     * stopped, not failed: its files go whatever its standard error left in its log, and the
     * logs kept are those of the runs that failed before it. Then the holds on the folder
     * go ({@code letGo}), the lock's file with them.
     */
    private void tidyAfterStop(RunFiles files, Path work, Path copies, Runnable letGo) {
        try {
            tidy(work, copies, files.close());
        } catch (java.io.IOException | RuntimeException e) {
            // Going down: what cannot be removed stays.
        }
        letGo.run();
    }

    /**
     * A second signal during the runs: tidies as the shutdown hooks do, ends the run going on
     * and halts the JVM with {@code code}. Not System.exit, whose hooks (Fork's, which kills
     * the run) failed the runs' thread, still in Fork, with "the JVM is shutting down".
     */
    private void quitAtOnce(RunFiles files, Path work, Path copies, Runnable letGo,
                            int code) {
        // Before the run is killed, its files closed: its thread, seeing it end, would write
        // its log as a failed run's.
        tidyAfterStop(files, work, copies, letGo);
        // The forked runs, this JVM's only children: no hook of Fork's ends them on a halt,
        // and a run would go on fetching alone.
        ProcessHandle.current().children().forEach(ProcessHandle::destroyForcibly);
        Runtime.getRuntime().halt(code);
    }

    private static void delete(Path tree) throws java.io.IOException {
        if (!Files.exists(tree)) {
            return;
        }
        try (var files = Files.walk(tree)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** The jar's copy of {@code urls/demo.txt}, written into {@code folder}. */
    private static Path builtInDemoList(Path folder) throws java.io.IOException {
        Path copy = folder.resolve("demo.txt");
        try (var in = CompareCommand.class.getResourceAsStream("/urls/demo.txt")) {
            if (in == null) {
                throw new java.io.FileNotFoundException("urls/demo.txt (not in this folder, nor"
                        + " in the jar)");
            }
            Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }
}
