package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.EngineKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Parses the command line alone: nothing is fetched here. */
class FetchCommandParsingTest {

    private static FetchCommand parse(String... args) {
        CommandLine cli = Main.commandLine(new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), new PrintWriter(new StringWriter()));
        CommandLine.ParseResult result = cli.parseArgs(args);
        return (FetchCommand) result.subcommand().commandSpec().userObject();
    }

    /**
     * Main starts the event loop's set-up before picocli parses (EventLoopPrestart), on its own
     * reading of the engine: it must read it as picocli does, each way the option is written
     * on its own or clustered with flags (a wrong guess costs a run a little CPU: the set-up
     * of an engine that does not run).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "fetch list.txt",
        "fetch list.txt -c 8 -o out.jsonl",
        "fetch list.txt -e threads",
        "fetch list.txt -e event-loop",
        "fetch list.txt --engine virtual",
        "fetch list.txt --engine=serial",
        "fetch list.txt --engine=event-loop",
        "fetch list.txt -ethreads",
        "fetch list.txt -e=virtual",
        "fetch -c 8 -e threads list.txt",
        "fetch list.txt -e EVENT-LOOP",
        "fetch -e threads -- -eevent-loop",
        "fetch list.txt -qe threads",
        "fetch list.txt -kqethreads",
        "fetch list.txt -qe=virtual",
        "fetch -qc 8 list.txt",
        "fetch -qc8 -e serial list.txt",
        "fetch -qo out.jsonl -ke threads list.txt",
        "fetch -H X-e:1 -e virtual list.txt"})
    void theEngineMainReadsBeforeParsingIsTheOnePicocliReads(String line) {
        String[] args = line.split(" ");
        String engine = parse(args).engine;
        assertThat(Main.fetchesOnTheEventLoop(args)).as(line)
                .isEqualTo(EngineKind.fromName(engine) == EngineKind.EVENT_LOOP);
    }

    /** Main's reading knows each of fetch's short options, and whether it takes a value. */
    @Test
    void theShortOptionsMainReadsAreFetchsOwn() {
        StringBuilder flags = new StringBuilder();
        StringBuilder withValue = new StringBuilder();
        for (CommandLine.Model.OptionSpec option : new FetchCommand(new ByteArrayInputStream(
                new byte[0]), new ByteArrayOutputStream(), null).spec.options()) {
            for (String name : option.names()) {
                if (name.length() == 2 && name.charAt(0) == '-') {
                    (option.arity().max() == 0 ? flags : withValue).append(name.charAt(1));
                }
            }
        }
        assertThat(Main.SHORT_FLAGS.chars().sorted().toArray())
                .isEqualTo(flags.chars().sorted().toArray());
        assertThat(Main.SHORT_WITH_VALUE.chars().sorted().toArray())
                .isEqualTo(withValue.chars().sorted().toArray());
    }

    /**
     * The launcher reads the engine the same way, for its start-up cache, from letters of its
     * own: the same letters, or a new short option leaves it choosing the event loop's cache.
     */
    @Test
    void theLauncherReadsTheSameShortOptionsAsMain() throws Exception {
        String launcher = java.nio.file.Files.readString(java.nio.file.Path.of("bulkfetch"));
        assertThat(launcher).contains("\"" + Main.SHORT_FLAGS + "\" == *")
                .contains("[" + Main.SHORT_WITH_VALUE + "])");
    }

    @Test
    void onlyAFetchStartsTheEventLoopsSetUpEarly() {
        assertThat(Main.fetchesOnTheEventLoop(new String[] {"compare", "list.txt"})).isFalse();
        assertThat(Main.fetchesOnTheEventLoop(new String[] {"train"})).isFalse();
        assertThat(Main.fetchesOnTheEventLoop(new String[0])).isFalse();
    }

    /**
     * Picocli sets each option's initial value through its setter, null included, and reports
     * a setter that throws on System.err, not the command's err: the -o setter did, and every
     * fetch printed "[picocli WARN] Could not set initial value for option --output".
     */
    @Test
    void parsingPrintsNothingOnTheProcessStderr() {
        java.io.PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            parse("fetch", "list.txt");
            parse("fetch", "list.txt", "-o", "-");
            parse("fetch", "list.txt", "-o", "out.jsonl");
        } finally {
            System.setErr(original);
        }
        assertThat(captured.toString()).isEmpty();
        assertThat(parse("fetch", "list.txt", "-o", "-").outputs.output).isNull();
    }

    @Test
    void everyOptionIsParsedIntoTheConfig() {
        FetchCommand fetch = parse("fetch", "list.txt", "-c", "200", "--engine", "event-loop",
                "-o", "out.jsonl", "--ordered", "--summary-json", "s.json", "--quiet",
                "--connect-timeout", "250ms", "--timeout", "3s", "--idle-timeout", "2m",
                "--max-body", "512KiB", "--max-redirects", "2", "--mock", "--mock-port", "0");

        assertThat(fetch.input).isEqualTo("list.txt");
        assertThat(fetch.outputs.output).isEqualTo(Path.of("out.jsonl"));
        assertThat(fetch.outputs.summaryJson).isEqualTo(Path.of("s.json"));
        assertThat(fetch.quiet).isTrue();
        assertThat(fetch.mockOptions.mock).isTrue();
        assertThat(fetch.mockOptions.mockPort).isZero();
        FetchConfig config = fetch.config();
        assertThat(config.concurrency()).isEqualTo(200);
        assertThat(config.engine()).isEqualTo(EngineKind.EVENT_LOOP);
        assertThat(config.ordered()).isTrue();
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.maxBodyBytes()).isEqualTo(512 * 1024);
        assertThat(config.maxRedirects()).isEqualTo(2);
    }

    @Test
    void defaultsAreSafeForTheServer() {
        FetchCommand fetch = parse("fetch", "list.txt");
        FetchConfig config = fetch.config();
        assertThat(config.concurrency()).isEqualTo(32);
        assertThat(config.ordered()).isFalse();
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxBodyBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(config.maxRedirects()).isEqualTo(5);
        assertThat(fetch.mockOptions.mockPort).isEqualTo(8089);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "-c, abc, --concurrency",
        "--timeout, 5x, --timeout",
        "--timeout, -1, --timeout",
        "--connect-timeout, 0ms, --connect-timeout",
        "--idle-timeout, soon, --idle-timeout",
        "--max-body, 10QB, --max-body",
        "--max-redirects, many, --max-redirects",
        "--mock-port, http, --mock-port",
        "--grace, later, --grace",
        // Past a day: it overflowed the blocking engines' nanoseconds, failing every item.
        "--timeout, 3000000h, --timeout",
        "--connect-timeout, 99999999999h, --connect-timeout",
        "--grace, 25h, --grace",
    })
    void aValueOfTheWrongFormIsRejectedNamingTheOption(String option, String value,
                                                       String named) {
        assertThatThrownBy(() -> parse("fetch", "list.txt", option, value))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining(named)
                .hasMessageContaining(value);
    }

    /**
     * -c abc named '--concurrency' (picocli's words, by the longest name, as for every
     * option) and -c 0 named '-c/--concurrency' (ours): one option, named one way.
     */
    @Test
    void aBadConcurrencyIsNamedAsPicocliNamesIt() {
        assertThatThrownBy(() -> parse("fetch", "list.txt", "-c", "abc"))
                .hasMessageStartingWith("Invalid value for option '--concurrency': 'abc' ");
        FetchCommand zero = parse("fetch", "list.txt", "-c", "0");
        assertThatThrownBy(zero::config)
                .hasMessageStartingWith("Invalid value for option '--concurrency': ")
                .hasMessageEndingWith(": 0");
    }

    /** curl users write --timeout 10 (seconds there) and 1m30s: say which unit, take both. */
    @Test
    void aTimeoutIsCompoundOrNeedsAUnitSaidSo() {
        assertThat(parse("fetch", "list.txt", "--timeout", "1m30s").config().requestTimeout())
                .isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> parse("fetch", "list.txt", "--timeout", "10")).hasMessage(
                "Invalid value for option '--timeout': '10' has no unit: write 10s for seconds"
                        + " (or 10ms)");
    }

    /** After a probe: --grace 0s was refused ("at least 1ms"); it stops at once. */
    @Test
    void aGraceOfZeroStopsAtOnceWhereOtherDurationsMustBePositive() {
        assertThat(parse("fetch", "list.txt", "--grace", "0s").grace).isZero();
        assertThatThrownBy(() -> parse("fetch", "list.txt", "--timeout", "0s"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("at least 1ms");
    }

    /** Before, it was named among all five request options. */
    @Test
    void aRequestOptionOutOfRangeIsNamedAlone() {
        FetchCommand fetch = parse("fetch", "list.txt", "--max-redirects", "-1");
        assertThatThrownBy(fetch::config)
                .hasMessageStartingWith("Invalid value for option '--max-redirects': ");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "-c, 0, --concurrency",
        "-c, -5, --concurrency",
        "-c, 1000000, --concurrency",
        "--engine, warp, --engine",
        "--max-redirects, -1, --max-redirects",
        "--rate, abc, --rate",
        "--rate, 0/s, --rate",
        "--rate-per-host, 5/fortnight, --rate-per-host",
        "--per-host, -1, --per-host",
        "--retries, -1, --retries",
        "--backoff, 2s, --backoff",
        "--backoff, 5s..1s, --backoff",
        "--retry-on, sometimes, --retry-on",
    })
    void aValueOutOfRangeIsRejectedNamingTheOptionBeforeAnythingRuns(String option,
                                                                      String value,
                                                                      String named) {
        FetchCommand fetch = parse("fetch", "list.txt", option, value);
        assertThatThrownBy(fetch::config)
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining(named)
                .hasMessageContaining(value);
    }

    /**
     * -e serial -c 200 ran at 1 without a word: the serial engine sends one request at a time.
     * A -c of 1, or none, is the serial engine's own; compare's lists keep serial at 1 beside
     * the -c levels of the others.
     */
    @Test
    void aConcurrencyOtherThanOneWithTheSerialEngineIsAUsageErrorNamingBoth() {
        for (String c : new String[] {"200", "2", "32"}) {
            FetchCommand fetch = parse("fetch", "list.txt", "-e", "serial", "-c", c);
            assertThatThrownBy(fetch::config).as(c)
                    .isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessageStartingWith("Invalid value for option '--concurrency': ")
                    .hasMessageContaining(": " + c + " with -e serial")
                    .hasMessageContaining("give -c 1 or no -c");
        }
        assertThat(parse("fetch", "list.txt", "-e", "serial", "-c", "1").config().concurrency())
                .isEqualTo(1);
        assertThat(parse("fetch", "list.txt", "--engine", "serial").config().concurrency())
                .isEqualTo(1);
        assertThat(parse("fetch", "list.txt", "-c", "200").config().concurrency())
                .isEqualTo(200);
    }

    /** --retry-on '' retried nothing, and '5xx,' dropped its empty entry, without a word. */
    @Test
    void anEmptyRetryOnListOrEntryIsAUsageErrorQuotingIt() {
        for (String list : new String[] {"", "5xx,"}) {
            FetchCommand fetch = parse("fetch", "list.txt", "--retry-on", list);
            assertThatThrownBy(fetch::config).as("'%s'", list)
                    .isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessageStartingWith("Invalid value for option '--retry-on': '" + list
                            + "' ");
        }
    }

    @Test
    void limitOptionsAreParsedIntoTheConfig() {
        FetchConfig config = parse("fetch", "list.txt", "--rate", "600/min", "--per-host", "4",
                "--rate-per-host", "10/s", "--retries", "5", "--backoff", "100ms..2s",
                "--retry-on", "timeout,5xx").config();
        assertThat(config.rate().perSecond()).isEqualTo(10);
        assertThat(config.perHost()).isEqualTo(4);
        assertThat(config.ratePerHost().perSecond()).isEqualTo(10);
        assertThat(config.retries().maxRetries()).isEqualTo(5);
        assertThat(config.retries().base()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.retries().cap()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.retries().retries(500, null)).isTrue();
        assertThat(config.retries().retries(429, null)).isFalse();
    }

    @Test
    void headersRepeatAndKeepTheirOrder() {
        FetchCommand fetch = parse("fetch", "list.txt", "-H", "Accept: application/json",
                "--header", "X-Trace: 1");
        assertThat(fetch.headerMap()).containsExactly(
                java.util.Map.entry("Accept", "application/json"),
                java.util.Map.entry("X-Trace", "1"));
    }

    @Test
    void aValueFromAFileWithAWindowsLineEndIsTakenWithoutIt() {
        FetchCommand fetch = parse("fetch", "list.txt", "-H", "Authorization: Bearer t0k\r\n");
        assertThat(fetch.headerMap()).containsExactly(
                java.util.Map.entry("Authorization", "Bearer t0k"));
    }

    /** -c "4, 8" is taken as --engines "threads, serial" is (it said "' 8' is not an int"). */
    @Test
    void compareSplitsItsListsAndHasItsDefaults() {
        CommandLine cli = Main.commandLine(new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), new PrintWriter(new StringWriter()));
        CompareCommand defaults = (CompareCommand) cli.parseArgs("compare").subcommand()
                .commandSpec().userObject();
        cli = Main.commandLine(new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), new PrintWriter(new StringWriter()));
        CompareCommand given = (CompareCommand) cli.parseArgs("compare", "list.txt",
                "--engines", "threads,serial", "-c", "4, 8").subcommand().commandSpec()
                .userObject();

        assertThat(defaults.engines).containsExactly("event-loop", "threads", "virtual",
                "serial");
        assertThat(defaults.concurrencies).containsExactly(16, 128, 1024);
        assertThat(defaults.warmup).isEqualTo(200);
        assertThat(given.engines).containsExactly("threads", "serial");
        assertThat(given.concurrencies).containsExactly(4, 8);
    }

    /**
     * compare's hidden child took the run's number as --repeat, which in compare is how many
     * runs there are: it is --run-number now.
     */
    @Test
    void probeTakesTheRunsNumberAsRunNumber() {
        CommandLine cli = Main.commandLine(new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), new PrintWriter(new StringWriter()));
        ProbeCommand probe = (ProbeCommand) cli.parseArgs("probe", "list.txt", "-e", "serial",
                "-c", "1", "--run-number", "3").subcommand().commandSpec().userObject();

        assertThat(probe.runNumber).isEqualTo(3);
        assertThatThrownBy(() -> Main.commandLine(new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), new PrintWriter(new StringWriter())).parseArgs(
                        "probe", "list.txt", "-e", "serial", "-c", "1", "--repeat", "3"))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class);
    }

    @Test
    void aMethodTheEngineCannotSendIsAUsageErrorNamingTheOptionAndTheWayOut() {
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"fetch", "never-read.txt", "-X", "patch", "-e",
                "threads"}, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--method").contains("threads engine cannot send PATCH")
                .contains("-e event-loop");
    }

    /** An Expect header the JDK engines refuse was an input error on every item of a list. */
    @Test
    void anExpectHeaderTheEngineCannotSendIsAUsageErrorNamingTheOptionAndTheWayOut() {
        for (String engine : java.util.List.of("threads", "virtual", "serial")) {
            StringWriter err = new StringWriter();
            int code = Main.run(new String[] {"fetch", "never-read.txt", "-H",
                    "expect: 100-continue", "-e", engine}, new ByteArrayInputStream(new byte[0]),
                    new ByteArrayOutputStream(), new PrintWriter(err, true));
            assertThat(code).isEqualTo(2);
            assertThat(err.toString()).contains("--header")
                    .contains(engine + " engine cannot send an Expect header")
                    .contains("-e event-loop");
        }
    }

    @Test
    void aHeaderValueWithALineBreakIsAUsageErrorNotAnErrorOnEveryItem() {
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"fetch", "never-read.txt", "-H",
                "X-Trace: a\r\nX-Injected: 1"}, new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--header")
                .contains("header \"X-Trace\" has a line break");
    }

    @Test
    void aMethodThatIsNotOneWordIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"fetch", "never-read.txt", "-X", "GET /x"},
                new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--method").contains("'GET /x' is not an HTTP method");
    }

    @Test
    void aMissingUrlListIsAUsageError() {
        assertThatThrownBy(() -> parse("fetch"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("URLS");
    }

    @Test
    void versionAndHelpAreOffered() {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--version"}, new ByteArrayInputStream(new byte[0]),
                out, new PrintWriter(err, true));
        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("bulkfetch ");
        out.reset();
        code = Main.run(new String[] {"fetch", "--help"}, new ByteArrayInputStream(new byte[0]),
                out, new PrintWriter(err, true));
        assertThat(code).isZero();
        assertThat(out.toString()).contains("--concurrency").contains("--ordered")
                .contains("Exit codes");
        out.reset();
        code = Main.run(new String[] {"fetch", "-V"}, new ByteArrayInputStream(new byte[0]),
                out, new PrintWriter(err, true));
        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("bulkfetch ");
    }
    /**
     * On one terminal for both streams, the progress line was drawn into the records on
     * stdout. It is drawn only when the records go elsewhere (a file, a pipe).
     */
    @Test
    void theProgressLineIsLeftOutWhenTheRecordsGoToTheSameTerminal() {
        java.util.Map<String, String> bothTerminals = java.util.Map.of(
                "BULKFETCH_STDERR_TTY", "1", "BULKFETCH_STDOUT_TTY", "1");
        java.util.Map<String, String> stderrOnly = java.util.Map.of(
                "BULKFETCH_STDERR_TTY", "1", "BULKFETCH_STDOUT_TTY", "0");

        assertThat(FetchCommand.showProgress(false, true, bothTerminals::get)).isFalse();
        assertThat(FetchCommand.showProgress(false, false, bothTerminals::get)).isTrue();
        assertThat(FetchCommand.showProgress(false, true, stderrOnly::get)).isTrue();
        assertThat(FetchCommand.showProgress(true, false, bothTerminals::get)).isFalse();
        assertThat(FetchCommand.showProgress(false, false, java.util.Map.<String, String>of()::get))
                .isFalse();
    }
}
