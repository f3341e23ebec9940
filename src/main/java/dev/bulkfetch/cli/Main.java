package dev.bulkfetch.cli;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.engine.EventLoopPrestart;
import dev.bulkfetch.input.InputUnavailableException;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Entry point: builds the command line, maps failures to exit codes, and exits. */
public final class Main {

    private static final String AHC_CONNECTION_TTL = "org.asynchttpclient.connectionTtl";
    private static final String NETTY_JFR = "io.netty.jfr.enabled";
    // The process ends as the run does: its exit frees a fetch's engine, its connections and
    // threads, at once (BulkRun#leaveEngineTo), where closing them took about 0.1 s.
    private static final Consumer<AutoCloseable> LEFT_TO_THE_EXIT = engine -> { };

    private Main() {
    }

    public static void main(String[] args) {
        // async-http-client's default connection TTL is "-PT0.001S" (none). Parsing a negative
        // Duration initialises BigDecimal, whose tables cost ~30 ms of every start (JFR, W0).
        // Any TTL <= 0 means "none" to it, so zero is the same setting without that cost.
        // Here and not in the engine: it saves start-up time only, the CLI's concern, and a
        // library sets a JVM-wide property only where behaviour needs it (JdkHttpSettings).
        if (System.getProperty(AHC_CONNECTION_TTL) == null) {
            System.setProperty(AHC_CONNECTION_TTL, "PT0S");
        }
        // Netty 4.2's buffer allocators report to JDK Flight Recorder: their first buffer
        // loads JFR's event classes, whose annotations the JDK turns into some fifteen
        // proxies, about 0.1 s of a one-URL run on the event loop (0.44 s against 0.32 s,
        // 15 interleaved runs). A run recorded with JFR can turn them back on with
        // -Dio.netty.jfr.enabled=true.
        if (System.getProperty(NETTY_JFR) == null) {
            System.setProperty(NETTY_JFR, "false");
        }
        // Netty picks its logger by probing for SLF4J (whose no-op binding it declines), two
        // Log4Js, then java.util.logging, which it always ends on here: about 6 ms of every
        // start spent probing for the answer it already gets.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        // stdout itself, not System.out: a PrintStream swallows a failed write, so a reader
        // that went away (| head -1) went unnoticed, and the run fetched every item, threw
        // the records away and ended "all ok". A failed write now stops the run, as a file's.
        System.exit(run(args, System.in, new FileOutputStream(FileDescriptor.out),
                new PrintWriter(System.err, true), LEFT_TO_THE_EXIT));
    }

    /** Runs the CLI with the given streams and returns the exit code; never exits the JVM. */
    public static int run(String[] args, InputStream in, OutputStream out, PrintWriter err) {
        return run(args, in, out, err, null);
    }

    /**
     * As {@link #run(String[], InputStream, OutputStream, PrintWriter)}, but a fetch hands its
     * engine to {@code engineLeftTo} rather than close it, once nothing is on the wire: for a
     * caller that exits the JVM next. Null closes it.
     */
    static int run(String[] args, InputStream in, OutputStream out, PrintWriter err,
                   Consumer<AutoCloseable> engineLeftTo) {
        if (fetchesOnTheEventLoop(args)) {
            EventLoopPrestart.begin();
        }
        return commandLine(in, out, err, args.length == 0 ? null : args[0], engineLeftTo)
                .execute(args);
    }

    /** fetch's short options that take no value, and may come first in a cluster (-qe). */
    static final String SHORT_FLAGS = "qkhV";
    /** fetch's short options that take a value: the rest of their cluster, or the next word. */
    static final String SHORT_WITH_VALUE = "ceXHo";

    /**
     * Whether {@code args} are a fetch on the event loop (the default engine), read before
     * picocli does, to start the engine's set-up early. A wrong guess costs time only: the
     * set-up of an engine that does not run, or none begun early.
     */
    static boolean fetchesOnTheEventLoop(String[] args) {
        if (args.length == 0 || !args[0].equals("fetch")) {
            return false;
        }
        String engine = EngineKind.EVENT_LOOP.cliName();
        for (int i = 1; i < args.length && !args[i].equals("--"); i++) {
            String arg = args[i];
            if (arg.equals("--engine")) {
                engine = i + 1 < args.length ? args[++i] : engine;
            } else if (arg.startsWith("--engine=")) {
                engine = arg.substring("--engine=".length());
            } else if (arg.length() > 1 && arg.charAt(0) == '-' && arg.charAt(1) != '-') {
                // Short options, clustered as picocli reads them (-e threads, -qe threads,
                // -kqethreads, -e=virtual): flags first, then at most one option whose value
                // is the rest of the word or, when nothing is left, the next word.
                int j = 1;
                while (j < arg.length() && SHORT_FLAGS.indexOf(arg.charAt(j)) >= 0) {
                    j++;
                }
                if (j == arg.length() || SHORT_WITH_VALUE.indexOf(arg.charAt(j)) < 0) {
                    continue;
                }
                char option = arg.charAt(j);
                String rest = arg.substring(j + 1);
                String value = !rest.isEmpty() ? (rest.startsWith("=") ? rest.substring(1) : rest)
                        : i + 1 < args.length ? args[++i] : null;
                if (option == 'e' && value != null) {
                    engine = value;
                }
            }
        }
        return engine.trim().toLowerCase(java.util.Locale.ROOT)
                .equals(EngineKind.EVENT_LOOP.cliName());
    }

    /** The command line, wired to the given streams; tests parse with it too. */
    static CommandLine commandLine(InputStream in, OutputStream out, PrintWriter err) {
        return commandLine(in, out, err, null, null);
    }

    /** The subcommands' models, by name, in the order help lists them. */
    private static Map<String, BiFunction<InputStream, OutputStream, CommandSpec>> subcommands(
            Consumer<AutoCloseable> engineLeftTo) {
        Map<String, BiFunction<InputStream, OutputStream, CommandSpec>> commands =
                new LinkedHashMap<>();
        commands.put("fetch", (in, out) -> new FetchCommand(in, out, engineLeftTo).spec);
        commands.put("compare", (in, out) -> new CompareCommand().spec);
        commands.put("serve", (in, out) -> new ServeCommand().spec);
        commands.put("probe", (in, out) -> new ProbeCommand().spec);
        commands.put("train", (in, out) -> new TrainCommand().spec);
        return commands;
    }

    /**
     * The command line with only subcommand {@code only} when it names one: a run pays for the
     * model of the command it runs, not of every command. With no name, or one that is no
     * subcommand, all are registered, for help and for picocli's error message.
     */
    static CommandLine commandLine(InputStream in, OutputStream out, PrintWriter err,
                                   String only, Consumer<AutoCloseable> engineLeftTo) {
        CommandLine cli = new CommandLine(BulkfetchCommand.spec());
        Map<String, BiFunction<InputStream, OutputStream, CommandSpec>> commands =
                subcommands(engineLeftTo);
        boolean all = only == null || !commands.containsKey(only);
        commands.forEach((name, spec) -> {
            if (all || only.equals(name)) {
                cli.addSubcommand(name, new CommandLine(spec.apply(in, out)));
            }
        });
        if (all) {
            // "bulkfetch help fetch", as git and docker have it, beside "fetch --help". Not
            // for a run: picocli reads this command's annotations, which cost the JDK's first
            // annotation proxies, about 60 ms of every start (StartUpTest).
            cli.addSubcommand("help", new CommandLine(new CommandLine.HelpCommand()));
        }
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(Main::exitCodeOf);
        cli.setExecutionExceptionHandler((thrown, commandLine, parseResult) -> {
            Exception e = inputUnavailable(thrown);
            commandLine.getErr().println("bulkfetch " + commandLine.getCommandName() + ": "
                    + message(e));
            if (!(e instanceof InputUnavailableException || e instanceof InterruptedException
                    || e instanceof java.io.IOException || e instanceof InvalidPathException)) {
                // Not a condition the user caused: the trace is what a bug report needs.
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return exitCodeOf(e);
        });
        cli.setParameterExceptionHandler((caught, args) -> {
            CommandLine.ParameterException e = unknownOptionsFirst(caught);
            e.getCommandLine().getErr().println(e.getMessage());
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
                // A curl option gets what to use instead: picocli's nearest name misleads.
                java.util.List<String> hints = unmatched.getUnmatched().stream()
                        .map(arg -> CurlHabits.hint(arg, e.getCommandLine().getCommandSpec()))
                        .filter(java.util.Objects::nonNull).toList();
                hints.forEach(e.getCommandLine().getErr()::println);
                if (hints.isEmpty()) {
                    // "Did you mean: --concurrency?" for a misspelt option or command.
                    CommandLine.UnmatchedArgumentException.printSuggestions(unmatched,
                            e.getCommandLine().getErr());
                }
            }
            e.getCommandLine().getErr().println("See '" + e.getCommandLine().getCommandSpec()
                    .qualifiedName() + " --help'.");
            return ExitCodes.USAGE;
        });
        return cli;
    }

    /**
     * A misspelt option, said before anything picocli found missing or in excess because of
     * it: "fetch --mock --ordred" said only that the list was missing, and "fetch --concurency
     * 5 list.txt" (the 5 taken for the list) named the list an unknown option too.
     */
    private static CommandLine.ParameterException unknownOptionsFirst(
            CommandLine.ParameterException e) {
        CommandLine line = e.getCommandLine();
        java.util.List<String> unknown = line.getUnmatchedArguments().stream()
                .filter(arg -> arg.startsWith("-") && arg.length() > 1).toList();
        if (unknown.isEmpty() || e instanceof CommandLine.UnmatchedArgumentException unmatched
                && unmatched.getUnmatched().equals(unknown)) {
            return e;
        }
        return new CommandLine.UnmatchedArgumentException(line, unknown);
    }

    /**
     * Runs {@code start}, a mock server's start; an {@link IllegalStateException} from it (a
     * port already taken, stubs that cannot be read) is the user's to fix, so it becomes a
     * usage error naming the command, and a taken port the option that gave it; so does a jar
     * without WireMock.
     */
    static <T> T usageErrorIfThrows(CommandSpec spec, String portOption,
                                    java.util.function.Supplier<T> start) {
        try {
            return start.get();
        } catch (IllegalStateException e) {
            CommandLine.ParameterException usage = new CommandLine.ParameterException(
                    spec.commandLine(), e instanceof dev.bulkfetch.mock.MockServer.PortInUse taken
                            ? portInUse(spec, portOption, taken) : e.getMessage());
            usage.initCause(e);
            throw usage;
        } catch (NoClassDefFoundError e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("com/github/tomakehurst/")) {
                throw e;
            }
            // Run by hand, or with --mock in an argument file the launcher did not read.
            CommandLine.ParameterException usage = new CommandLine.ParameterException(
                    spec.commandLine(), "the mock needs WireMock, which the jar for a fetch"
                            + " without --mock (bulkfetch-all-fetch.jar) leaves out: run"
                            + " bulkfetch-all.jar, as ./bulkfetch does for --mock");
            usage.initCause(e);
            throw usage;
        }
    }

    /**
     * A taken port, named by the option that gave it; a default port was given by no option
     * the user typed, and is most often taken by a {@code bulkfetch serve} of the user's own.
     */
    private static String portInUse(CommandSpec spec, String portOption,
                                    dev.bulkfetch.mock.MockServer.PortInUse taken) {
        if (spec.commandLine().getParseResult().hasMatchedOption(portOption)) {
            return "Invalid value for option '" + portOption + "': " + taken.getMessage();
        }
        return "port " + taken.port() + ", " + portOption + "'s default, is already in use: "
                + (portOption.equals("--mock-port") ? "if a bulkfetch serve runs there, name "
                + "the list without --mock to use it; or give " : "stop what is using it, or give ")
                + portOption + " 0 to pick a free port";
    }

    /**
     * Usage errors are exactly the ones the commands raise as such: a bad option (picocli's
     * {@code ParameterException}, which every option check throws), an input that cannot be
     * used, or an output file that cannot be the journal asked for (a refused resume, a file
     * another run writes) or a --report folder another compare writes, which is no mistake in
     * the command line and gets no pointer to --help. Anything else is a fault of bulkfetch,
     * not of the command line, and is not hidden behind exit code 2.
     */
    private static int exitCodeOf(Throwable e) {
        if (e instanceof InputUnavailableException || e instanceof InvalidPathException
                || e instanceof CommandLine.ParameterException
                || e instanceof dev.bulkfetch.output.Journal.Refused
                || e instanceof dev.bulkfetch.compare.FolderLock.InUse) {
            return ExitCodes.USAGE;
        }
        if (e instanceof InterruptedException) {
            return ExitCodes.INTERRUPTED;
        }
        return ExitCodes.SOME_FAILED;
    }

    /**
     * {@code e}, or the input found unreadable inside it: one found so by its first read (stdin
     * in UTF-16) comes through the reader's iterator, wrapped, and is a usage error all the same.
     */
    private static Exception inputUnavailable(Exception e) {
        return e instanceof java.io.UncheckedIOException wrapped
                && wrapped.getCause() instanceof InputUnavailableException input ? input : e;
    }

    private static String message(Throwable e) {
        if (e instanceof InvalidPathException invalid) {
            // A file name the JVM cannot encode: under a C locale (LANG unset) any letter
            // outside ASCII. The launcher moves a C locale to C.UTF-8; another may still say no.
            return "cannot use the file name '" + invalid.getInput() + "' (" + invalid.getReason()
                    + "): this locale's encoding (" + System.getProperty("sun.jnu.encoding")
                    + ") may not write all its characters; a UTF-8 locale does, e.g. LANG=C.UTF-8";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
