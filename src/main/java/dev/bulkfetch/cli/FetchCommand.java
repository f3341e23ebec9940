package dev.bulkfetch.cli;

import static dev.bulkfetch.cli.Options.duration;
import static dev.bulkfetch.cli.Options.flag;
import static dev.bulkfetch.cli.Options.option;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.input.InputReader;
import dev.bulkfetch.input.UrlListReader;
import dev.bulkfetch.mock.MockServer;
import dev.bulkfetch.output.BodyStore;
import dev.bulkfetch.output.FilePaths;
import dev.bulkfetch.output.Journal;
import dev.bulkfetch.output.JsonLinesWriter;
import dev.bulkfetch.output.ProgressLine;
import dev.bulkfetch.output.RecordSink;
import dev.bulkfetch.output.StaleBodies;
import dev.bulkfetch.output.Summary;
import dev.bulkfetch.output.Tally;
import dev.bulkfetch.run.BulkRun;
import dev.bulkfetch.run.PipeSource;
import dev.bulkfetch.run.Source;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

/** {@code bulkfetch fetch}: one record per input line, as each finishes, and a summary. */
final class FetchCommand implements Callable<Integer> {

    /**
     * How long a failed write of the records to a stream waits for a signal that stopped its
     * reader too, which this JVM handles a few milliseconds after the reader died of it.
     */
    private static final Duration SIGNAL_WITH_THE_READER = Duration.ofMillis(500);

    final CommandSpec spec;
    String input;
    int concurrency = FetchConfig.DEFAULT_CONCURRENCY;
    String engine = EngineKind.EVENT_LOOP.cliName();
    String inputFormat = "auto";
    String method = "GET";
    List<String> headers = new ArrayList<>();
    Duration grace = Duration.ofSeconds(5);
    boolean includeBody;
    boolean denyPrivate;
    boolean ordered;
    boolean quiet;
    final TrustOptions trust = new TrustOptions();
    final OutputOptions outputs = new OutputOptions();
    final RequestOptions requestOptions = new RequestOptions();
    final LimitOptions limitOptions = new LimitOptions();
    final MockOptions mockOptions = new MockOptions();

    /** The command's model, its options bound to this object's fields. */
    private CommandSpec declare() {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("fetch");
        spec.usageMessage().sortOptions(false)
                .description("Fetch every URL of a list, a capped number at a time, and write "
                        + "one JSON record per line to stdout (or -o FILE) and a summary to "
                        + "stderr.")
                .exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(exitCodes());
        Options options = new Options(spec)
                .add(PositionalParamSpec.builder().index("0").arity("1").required(true)
                        .paramLabel("URLS").type(String.class)
                        .description("A URL list, or JSON Lines request specs (see "
                                + "--input-format): a file, a name under urls/, or - for "
                                + "stdin."),
                        () -> input, v -> input = v)
                .add(option("-c", "--concurrency").paramLabel("N").type(int.class)
                        .defaultValue(String.valueOf(FetchConfig.DEFAULT_CONCURRENCY))
                        .description("Requests in flight at most (default: ${DEFAULT-VALUE})."),
                        () -> concurrency, v -> concurrency = v)
                .add(option("-e", "--engine").paramLabel("NAME").type(String.class)
                        .defaultValue(engine)
                        .description("event-loop, threads, virtual or serial (one request "
                                + "at a time: -c 1 or no -c) (default: ${DEFAULT-VALUE})."),
                        () -> engine, v -> engine = v)
                .add(Options.inputFormat(), () -> inputFormat, v -> inputFormat = v)
                .add(option("-X", "--method").paramLabel("METHOD").type(String.class)
                        .defaultValue("GET")
                        .description("HTTP method for every request of a URL list "
                                + "(default: ${DEFAULT-VALUE})."),
                        () -> method, v -> method = v)
                .add(option("-H", "--header").paramLabel("'NAME: VALUE'").type(List.class)
                        .auxiliaryTypes(String.class)
                        .description("A header for every request (repeatable); JSON Lines "
                                + "specs may override it."),
                        () -> headers, v -> headers = v)
                .add(duration("--grace").converters(new Units.DurationConverter(true))
                                .defaultValue("5s")
                        .description("After Ctrl-C, SIGTERM or SIGHUP, how long requests in flight "
                                + "may finish before the run stops (default: "
                                + "${DEFAULT-VALUE}; 0 stops at once)."),
                        () -> grace, v -> grace = v)
                .add(flag("--include-body")
                        .description("Put each text (UTF-8) body into its record as body."),
                        () -> includeBody, v -> includeBody = v);
        trust.addTo(options);
        options.add(flag("--deny-private")
                        .description("Refuse URLs whose host resolves to a loopback, private or "
                                + "link-local address, as input errors, and redirects to such "
                                + "hosts, as protocol errors (for untrusted lists)."),
                        () -> denyPrivate, v -> denyPrivate = v)
                .add(flag("--ordered")
                        .description("Write records in input order (a reorder window no larger "
                                + "than the concurrency) instead of as they finish."),
                        () -> ordered, v -> ordered = v)
                .add(flag("-q", "--quiet")
                        .description("No progress line, no summary and no note of a server's "
                                + "Retry-After holding the run on stderr (warnings, errors and "
                                + "what a Ctrl-C or SIGTERM does are still said)."),
                        () -> quiet, v -> quiet = v);
        outputs.addTo(options);
        requestOptions.addTo(options);
        limitOptions.addTo(options);
        mockOptions.addTo(options);
        options.helpAndVersion(new BulkfetchCommand.Version());
        return spec;
    }

    private static Map<String, String> exitCodes() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "every item ok");
        codes.put("1", "the run completed and some items were not ok");
        codes.put("2", "bad command line, or an input or output that cannot be opened");
        codes.put("129", "hung up (SIGHUP), as Ctrl-C stops a run");
        codes.put("130", "interrupted (Ctrl-C)");
        codes.put("143", "terminated (SIGTERM), as Ctrl-C stops a run");
        return codes;
    }

    // Once call() has looked at its first bytes, the stream that gives them back first.
    private InputStream stdin;
    // Set when the run's records, or a body, could not be written: it ended, and said so.
    private RecordsFailed failed;
    private final OutputStream stdout;
    // Given the run's engine rather than its close, when the process exits after the run.
    private final Consumer<AutoCloseable> engineLeftTo;

    /** With {@code engineLeftTo} null, the run closes its engine (BulkRun#leaveEngineTo). */
    FetchCommand(InputStream stdin, OutputStream stdout, Consumer<AutoCloseable> engineLeftTo) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.engineLeftTo = engineLeftTo;
        this.spec = declare();
    }

    @Override
    public Integer call() throws Exception {
        FetchConfig config = config();
        UrlListReader.RequestTemplate requests = template();
        InputReader.Format format = Options.inputFormat(spec.commandLine(), inputFormat);
        outputs.check(input);
        // Before the journal, which empties -o for a new run: a misspelt input, or a mock
        // that cannot start, left the records of the run before it gone, for nothing. A stdin
        // is looked at by the journal itself, once FILE is locked and checked, before it is
        // emptied (StdinWait); without -o FILE the run's reader refuses a UTF-16 or
        // compressed one.
        if (!input.equals("-")) {
            CurlHabits.checkOpens(input);  // a URL given for the list is said to be one
        }
        try (StdinWait stdinWait = input.equals("-") && outputs.output != null
                ? new StdinWait(stdin) : null;
             MockServer mock = mockOptions.startIfAsked()) {
            Journal journal;
            try {
                // The bodies' folder last, before FILE is emptied: a refused run makes none.
                journal = outputs.openJournal(input, format, () -> {
                    stdin = stdinWait == null ? stdin : stdinWait.await();
                    outputs.makeBodiesFolder();
                });
            } catch (StdinWait.Stopped stopped) {
                return new FetchReport(spec.commandLine().getErr(), stdout, input, quiet,
                        outputs.summaryJson, false, false, null).stoppedBeforeInput(stopped.stop,
                        new Tally().snapshot(0, 0, config.engine().cliName(),
                                config.concurrency(), null));
            }
            return fetchInto(journal, config, requests, format, mock, stdinWait);
        }
    }

    /** Runs the fetch into {@code journal}'s file (null: stdout or no journal), and ends it. */
    private int fetchInto(Journal journal, FetchConfig config,
                          UrlListReader.RequestTemplate requests, InputReader.Format format,
                          MockServer mock, StdinWait stdinWait) throws Exception {
        try {
            outputs.makeBodiesFolder();  // when FILE was not emptied: a resume, or no -o
            // Quiet or not: a failed item's SEQ.body there may be another run's.
            PrintWriter err = spec.commandLine().getErr();
            for (String warning : outputs.bodiesWarnings(journal)) {
                err.println("bulkfetch fetch: warning: " + warning);
                err.flush();
            }
            int code = fetch(config, requests, format, journal, mock, stdinWait);
            if (failed != null) {
                // Only now, with the writer closed (its last flush may tear a line again), can
                // the journal be cut back to its last complete record; it stays unfinished.
                if (journal != null && !failed.withSignal()) {
                    journal.cutTornTail();
                }
            } else if (journal != null && !ExitCodes.stoppedBySignal(code)) {
                try {
                    journal.finished();  // every item has its record, written and flushed
                } catch (IOException e) {
                    // The records are whole: only the next run without --resume is refused.
                    spec.commandLine().getErr().println("bulkfetch fetch: warning: cannot mark "
                            + outputs.identityFile() + " finished (" + e
                            .getMessage() + "): a new run on " + outputs.output + " will need"
                            + " --overwrite");
                }
            }
            return code;
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof dev.bulkfetch.input.InputUnavailableException) {
                outputs.unmakeBodiesFolder();  // stdin refused at its first read: a usage error
            }
            throw e;
        } finally {
            outputs.releaseBodiesFolder();
            // The writer closed it; not so when the run never started (an input gone since).
            if (journal != null) {
                journal.close();
            }
        }
    }

    private int fetch(FetchConfig config, UrlListReader.RequestTemplate requests,
                      InputReader.Format format, Journal journal, MockServer mock,
                      StdinWait stdinWait) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        // Whether --resume can go on from this run: records in a file, and an input it can
        // read again (not stdin, not a pipe), or the advice to use it would only be refused.
        boolean canResume = journal != null && journal.resumable() && !input.equals("-")
                && Files.isRegularFile(UrlListReader.resolve(input));
        FetchReport report = new FetchReport(err, stdout, input, quiet, outputs.summaryJson,
                mock != null, canResume, trust.widenedBy());
        try (RecordSink sink = openOutput(journal);
             InputReader urls = InputReader.open(input, format, stdin,
                     mock == null ? requests : requests.withUrlMapper(mock::redirect),
                     journal == null ? Long.MAX_VALUE : journal.inputBytes());
             BulkRun run = new BulkRun(config, outputs.saveBodies, outputs.bodiesClaim(),
                     includeBody);
             // Closed as the run's handlers are, which put back the wait's: a signal after
             // them goes to the JVM's, not to handlers that are closed (as in a file's run).
             StdinWait waitsHandlers = stdinWait;
             Interrupts interrupts = Interrupts.install(run, grace, err,
                     "1".equals(System.getenv("BULKFETCH_STDERR_TTY")), canResume)) {
            outputs.removeEarlierSummary();
            if (engineLeftTo != null) {
                run.leaveEngineTo(engineLeftTo);
            }
            if (stdinWait != null) {
                stdinWait.handOver(interrupts::stop);
            }
            if (journal != null && journal.kept() + journal.dropped() > 0 && !quiet) {
                err.println("resuming: " + Options.count(journal.kept(), "record") + " kept"
                        + (journal.dropped() > 0 ? ", " + Options.count(journal.dropped(),
                        "failed item") + " to fetch again (--retry-failed)" : "")
                        + (journal.tornBytes() > 0 ? ", a torn last line of "
                        + Options.count(journal.tornBytes(), "byte") + " cut" : ""));
            }
            Tally tally = new Tally();
            Summary summary;
            try (ProgressLine progress = showProgress() ? new ProgressLine(err, tally,
                    run::inFlight, journal == null ? ProgressLine.LINES_UNKNOWN
                    : journal.inputLines()) : null) {
                if (journal != null) {
                    journal.started();  // a resume, now sure to run, is under way again
                }
                if (!quiet) {
                    run.onHold(HoldNote.sayingOn(err, progress, config));
                }
                // Skipped before the progress line reads them: the reader passes over a done
                // line's bytes, parsing none of it.
                InputReader items = journal == null ? urls : urls.skipping(journal::isDone);
                items = progress == null ? items : progress.reading(items);
                items = denyPrivate ? items.denyingPrivateHosts() : items;
                items = items.refusing(config.engine()::refusal);
                // A pipe may fall quiet for any time: read it on its own thread, so the run
                // goes on (and Ctrl-C works) between lines. A file is read by the driver.
                summary = run.run(input.equals("-") ? new PipeSource(items,
                        config.concurrency(), run) : Source.of(items), sink, tally);
            } catch (IOException e) {
                run.abandon();
                // Ctrl-C in a terminal goes to the whole pipeline (bulkfetch | jq, or -o
                // >(gzip > f)): the reader of the records stops too, and the records of the
                // grace meet a broken pipe, or the first one does before this JVM has run its
                // handler. The signal then ended the run, which ends as a stopped run does. A
                // body that cannot be saved ends it as a record that cannot be written does.
                boolean stream = journal == null || !journal.resumable();
                failed = e instanceof BodyStore.SaveFailed ? RecordsFailed.bodyNotSaved(e,
                        outputs.saveBodies, outputs.output, canResume) : new RecordsFailed(e,
                        outputs.output, stream, stream
                        && interrupts.stoppedWithin(SIGNAL_WITH_THE_READER), canResume);
                summary = run.summary(tally);
            }
            return report.end(summary, journal, interrupts, failed, urls);
        }
    }

    /** The run's config; a bad option value is a usage error naming the option. */
    FetchConfig config() {
        FetchConfig.Builder builder = FetchConfig.builder();
        checked("--engine", () -> builder.engine(EngineKind.fromName(engine)));
        checked("--concurrency", () -> builder.concurrency(concurrency));
        if (EngineKind.fromName(engine) == EngineKind.SERIAL) {
            refuseConcurrencyBesideSerial();
            builder.concurrency(1);  // -c's default is the other engines'
        }
        checked("request options", () -> requestOptions.applyTo(builder));
        checked("limits", () -> limitOptions.applyTo(builder));
        trust.applyTo(builder, spec);
        return builder.ordered(ordered).denyPrivate(denyPrivate).build();
    }

    /**
     * The serial engine sends one request at a time: a -c other than 1 beside it was run at 1
     * without a word. Refused as --insecure beside --cacert is; compare's lists, where serial
     * is the baseline beside the others' levels, run it at 1 on their own.
     */
    private void refuseConcurrencyBesideSerial() {
        if (concurrency != 1 && spec.commandLine().getParseResult()
                .hasMatchedOption("--concurrency")) {
            throw new ParameterException(spec.commandLine(), Options.invalidValue(
                    "--concurrency", concurrency + " with -e serial, which sends one request"
                            + " at a time: give -c 1 or no -c, or choose another engine"));
        }
    }

    /** -H values as a header map ({@link Options#headerMap}). */
    Map<String, String> headerMap() {
        return Options.headerMap(spec.commandLine(), headers);
    }

    private void checked(String name, Runnable apply) {
        try {
            apply.run();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(),
                    Options.invalidValue(name, e.getMessage()));
        }
    }

    private RecordSink openOutput(Journal journal) throws IOException {
        if (journal == null || OutputOptions.isStdoutName(outputs.output)) {
            return new JsonLinesWriter(new BufferedOutputStream(stdout, 1 << 16), false);
        }
        // Flushed after every record, so a crash loses nothing that finished (measured: no
        // difference in throughput against flushing when idle, 8,000 records/s either way).
        RecordSink records = new JsonLinesWriter(new BufferedOutputStream(journal.append(),
                1 << 16), true, true);
        // Only where the run saved before: a SEQ.body in another folder is not the run's own.
        return outputs.resume && outputs.saveBodies != null
                && journal.keptBodiesIn(outputs.saveBodies)
                ? StaleBodies.clearing(records, outputs.saveBodies) : records;
    }

    /** What every request of a URL list gets from -X and -H. */
    private UrlListReader.RequestTemplate template() {
        List<EngineKind> kind = List.of(EngineKind.fromName(engine));
        String upper = Options.method(spec.commandLine(), method, kind, "use -e event-loop");
        return new UrlListReader.RequestTemplate(upper, Options.headerMap(spec.commandLine(),
                headers, kind, "use -e event-loop"), UnaryOperator.identity());
    }

    private boolean showProgress() {
        Path output = outputs.output;
        // The terminal by any name (/dev/tty, $(tty), /dev/stderr, /proc/self/fd/1): compared
        // as files, since the names alone let /proc/self/fd/1 and /dev/stderr through.
        if (output != null && (output.toAbsolutePath().normalize().equals(Path.of("/dev/tty"))
                || FilePaths.sameFile(output, Path.of("/dev/stderr")))) {
            return false;
        }
        return showProgress(quiet, output == null
                || FilePaths.sameFile(output, Path.of("/dev/stdout")), System::getenv);
    }

    /**
     * Whether to draw the progress line: on a terminal's stderr (the launcher says which
     * streams are terminals: the JVM cannot see it), unless the records go to that terminal
     * too, where the line was drawn into them ("0 done 0/s 2 in flight 0 errors {"seq":1,...").
     */
    static boolean showProgress(boolean quiet, boolean toStdout, UnaryOperator<String> env) {
        return !quiet && "1".equals(env.apply("BULKFETCH_STDERR_TTY"))
                && !(toStdout && "1".equals(env.apply("BULKFETCH_STDOUT_TTY")));
    }
}
