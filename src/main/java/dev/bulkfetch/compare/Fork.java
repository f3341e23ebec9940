package dev.bulkfetch.compare;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.input.InputReader;
import dev.bulkfetch.output.FileErrors;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts one measured run in a JVM of its own, so one engine's threads, heap and JIT state never
 * colour another's, and reads its {@link Measurement} back. The child is this same program, run
 * from the same class path with the hidden {@code probe} command.
 */
final class Fork {

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Fork() {
    }

    /**
     * A run that ended without a measurement: its JVM failed, crashed or could not start, or
     * its files could not be made or read.
     */
    static final class Failed extends IOException {
        private final Integer exitCode;
        private final Path log;

        Failed(String message, Integer exitCode, Path log) {
            super(message);
            this.exitCode = exitCode;
            this.log = log;
        }

        /**
         * The JVM's exit code: 128 + the signal's number when a signal ended it; {@code null}
         * when it did not start, or its files failed.
         */
        Integer exitCode() {
            return exitCode;
        }

        /**
         * The run's own log: its standard error, and why the parent took it for failed;
         * {@code null} when it has none (it could not be made, or went with its folder).
         */
        Path log() {
            return log;
        }
    }

    /** Of the parent JVM's options, those that shape how a run performs. */
    static List<String> jvmSettings(List<String> parent) {
        return parent.stream()
                // -D too: BULKFETCH_JAVA_OPTS=-Djdk.http.maxHeaderSize=0 changes what a run
                // fetches, and forked runs without it failed where fetch did not.
                .filter(o -> o.startsWith("-XX:") || o.startsWith("-Xlog:") || o.startsWith("-Xm")
                        || o.startsWith("-Xss") || o.startsWith("-D"))
                .filter(o -> !o.startsWith("-XX:AOTCacheOutput") && !o.startsWith("-XX:AOTMode")
                        && !o.startsWith("-XX:AOTConfiguration")
                        && !o.startsWith("-XX:StartFlightRecording")
                        && !o.startsWith("-XX:+HeapDumpOn"))
                .toList();
    }

    /** The java this JVM runs on, which starts each run. */
    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** As {@link #run(Path, FetchConfig, Path, int, int, Path)}, on this JVM's own java. */
    static Measurement run(FetchConfig config, Path urls, int warmup, int runNumber, Path log)
            throws IOException, InterruptedException {
        return run(java(), config, urls, warmup, runNumber, log);
    }

    /**
     * As {@link #run(Path, FetchConfig, Path, Integer, int, int, RunFiles)}, with no mock,
     * beside {@code log}.
     */
    static Measurement run(Path javaBinary, FetchConfig config, Path urls, int warmup,
                           int runNumber, Path log) throws Failed, InterruptedException {
        return run(javaBinary, config, new Comparison.Plan(urls, List.of(config.engine()),
                List.of(config.concurrency()), 1, warmup, null, config), runNumber,
                new RunFiles(log, () -> { }));
    }

    /**
     * Runs one measurement, its JVM started by {@code javaBinary}. A run's standard error
     * ends in {@code files}' log, shared by the runs; a run that fails, or whose JVM cannot
     * start, keeps a log of its own beside it instead, named by the {@link Failed}. A run whose
     * files cannot be made or read (its folder removed while compare runs, a full disk, no
     * permission, compare quitting) fails too, saying which file and why: the comparison goes
     * on without it. It runs {@code plan}'s list, warm-up and requests with {@code config},
     * and with a {@code plan.mockPort()}, the list's URLs on 127.0.0.1:8089 go to it.
     * Interrupted, the run is stopped, not failed; so is one a stop signal ended as it reached
     * compare too, though compare's interrupt came after its end ({@link StopSignalExit}).
     */
    static Measurement run(Path javaBinary, FetchConfig config, Comparison.Plan plan,
                           int runNumber, RunFiles files) throws Failed, InterruptedException {
        try {
            return measure(javaBinary, config, plan, runNumber, files);
        } catch (Failed e) {
            throw e;
        } catch (IOException e) {
            // A file that failed after the run was under way: the measured one or the log.
            throw new Failed("its files failed: " + FileErrors.describe(e), null, null);
        }
    }

    private static Measurement measure(Path javaBinary, FetchConfig config,
                                       Comparison.Plan plan, int runNumber, RunFiles files)
            throws IOException, InterruptedException {
        Path urls = plan.urls();
        Comparison.Requests requests = plan.requests();
        List<String> command = new ArrayList<>();
        command.add(javaBinary.toString());
        int feature = Runtime.version().feature();
        if (feature >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        if (feature >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        // The JVM settings this run was started with (the launcher's compiler, collector and
        // start-up cache), so a probe runs as `bulkfetch fetch` does and their figures agree.
        command.addAll(jvmSettings(
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        // The JDK's keep-alive cache holds this many idle connections per host: one per thread.
        command.add("-Dhttp.maxConnections=" + config.concurrency());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.bulkfetch.cli.Main");
        command.add("probe");
        command.add(urls.toString());
        List<String> settings = new ArrayList<>(List.of("--engine", config.engine().cliName(),
                "-c", Integer.toString(config.concurrency()),
                "--warmup", Integer.toString(plan.warmup()),
                "--connect-timeout", config.connectTimeout().toMillis() + "ms",
                "--timeout", config.requestTimeout().toMillis() + "ms",
                "--idle-timeout", config.idleTimeout().toMillis() + "ms",
                "--max-body", Long.toString(config.maxBodyBytes()),
                "--max-redirects", Integer.toString(config.maxRedirects()),
                "--retries", Integer.toString(config.retries().maxRetries())));
        if (plan.mockPort() != null) {
            // The run sends the mock's URLs to its port as fetch --mock does, at request
            // time: the list is read as it is.
            settings.addAll(List.of("--mock-port", plan.mockPort().toString()));
        }
        if (config.insecure()) {
            settings.add("--insecure");
        }
        if (requests.cacert() != null) {
            settings.addAll(List.of("--cacert", requests.cacert().toAbsolutePath().toString()));
        }
        InputReader.Format format = requests.formatOf(urls);
        if (format != InputReader.Format.AUTO.of(urls.toString())) {
            // specs.txt read as specs, a pipe's copy (named 63) read as specs, and the like.
            settings.addAll(List.of("--input-format", format.cliName()));
        }
        if (!requests.method().equals("GET")) {
            settings.addAll(List.of("--method", requests.method()));
        }
        if (!requests.headers().isEmpty()) {
            // On its stdin, not its command line, which any user's ps shows (and a failed
            // run's log repeats): a header may carry a token.
            settings.add("--headers-on-stdin");
        }
        command.addAll(settings);
        // Not a setting: the run's number, which its measurement carries back (as its repeat).
        command.addAll(List.of("--run-number", Integer.toString(runNumber)));
        Run run = new Run(config, runNumber, urls, List.copyOf(settings), command);
        // To a file, not a pipe, so this thread waits in waitFor, which an interrupt ends. One
        // of its own, under a name a later compare knows for a killed one's leftover.
        Path measured = newFile(files, ScratchFiles.MEASUREMENT, ".json",
                "its measurement's file");
        // A log of the run's own, so a failed run's is its alone to name (the shared one held
        // every run's, with no mark of where this run's began).
        Path runLog;
        try {
            runLog = newFile(files, ScratchFiles.runLog(config.engine().cliName(),
                    config.concurrency(), runNumber), ".log", "its log");
        } catch (Failed e) {
            deleteOnFailure(e, measured);
            throw e;
        }
        Process child;
        try {
            child = files.start(new ProcessBuilder(command)
                    .redirectOutput(measured.toFile())
                    .redirectError(runLog.toFile())
                    .redirectInput(requests.headers().isEmpty()
                            ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                            : ProcessBuilder.Redirect.PIPE));
        } catch (IOException e) {
            // A java that cannot be run (gone, not executable), no process to spare: this run
            // failed and the others go on.
            String why = "its JVM could not start: "
                    + java.util.Objects.toString(e.getMessage(), e.toString()).strip();
            Failed failed = failure(run, why, null, runLog, files);
            deleteOnFailure(failed, measured);
            throw failed;
        }
        // A compare stopped (Ctrl-C to its JVM alone, a SIGTERM) takes its run with it: the
        // child went on sending requests on its own for as long as its run had left.
        Thread stop = new Thread(child::destroyForcibly, "bulkfetch-compare-child");
        try {
            Runtime.getRuntime().addShutdownHook(stop);
        } catch (IllegalStateException shuttingDown) {
            // Stopped just as this run started: it must not go on alone after this JVM.
            child.destroyForcibly();
            deleteOnFailure(shuttingDown, measured, runLog);
            throw shuttingDown;
        }
        if (!requests.headers().isEmpty()) {
            sendHeaders(child, requests.headers());
        }
        int code;
        boolean shuttingDown = false;
        try {
            code = child.waitFor();
        } catch (InterruptedException e) {
            // Stopped: the run goes too, and is gone before the caller reports what finished.
            child.destroyForcibly();
            child.onExit().join();
            tidyStopped(e, measured, runLog, files);
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException goingDown) {
                // The hook runs: the child goes with this JVM.
                shuttingDown = true;
            }
        }
        if (shuttingDown) {
            // Killed by the hook, not failed: a failure's note in its log would race the
            // tidying hook, which leaves no empty file of an unfinished run behind.
            IllegalStateException stopped = new IllegalStateException("the JVM is shutting down");
            tidyStopped(stopped, measured, runLog, files);
            throw stopped;
        }
        try {
            // A stop signal to compare's process group may end a run still starting before
            // compare's own stop comes: stopped with compare then, not failed.
            StopSignalExit.awaitComparesStop(code, StopSignalExit.GRACE);
        } catch (InterruptedException e) {
            tidyStopped(e, measured, runLog, files);
            throw e;
        }
        // A Ctrl-C landing now would fail these reads and writes (interruptible channels) as
        // I/O errors: it is kept for the caller, who stops at the next run, this one ended.
        boolean interrupted = Thread.interrupted();
        try {
            return measurement(run, code, measured, runLog, files);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What the ended run measured, read from {@code measured}; or why it failed. */
    private static Measurement measurement(Run run, int code, Path measured, Path runLog,
                                           RunFiles files)
            throws IOException {
        String text;
        try {
            text = Files.readString(measured, StandardCharsets.UTF_8).strip();
            Files.delete(measured);
        } catch (IOException e) {
            throw failure(run, "its measurement could not be read: "
                    + FileErrors.describe(e), code, runLog, files);
        }
        String why = code != 0 ? "its JVM exited " + code + (code > 128
                ? " (ended by signal " + (code - 128) + ")" : "")
                : text.isEmpty() ? "its JVM exited 0 with no measurement" : null;
        Measurement m = null;
        if (why == null) {
            try {
                m = JSON.readValue(text.substring(text.lastIndexOf('\n') + 1),
                        Measurement.class);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                why = "its output was no measurement: " + e.getOriginalMessage();
            }
        }
        if (why != null) {
            throw failure(run, why, code, runLog, files);
        }
        try {
            appendTo(files, runLog);
        } catch (IOException e) {
            // The measurement stands: only where its standard error goes failed, and that
            // stays in the run's own log beside the shared one, named for the run.
        }
        return m;
    }

    /**
     * Writes {@code headers} to the run's stdin, a line each, as -H gives them, and closes it.
     * A run that died before reading them fails by its exit, which says why: not here.
     */
    private static void sendHeaders(Process child, Map<String, String> headers) {
        StringBuilder lines = new StringBuilder();
        headers.forEach((name, value) -> lines.append(name).append(": ").append(value)
                .append('\n'));
        try (OutputStream stdin = child.getOutputStream()) {
            stdin.write(lines.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException diedFirst) {
            // Its exit code and log tell the run's failure.
        }
    }

    /** What a run was asked to do, for its log should it fail. */
    private record Run(FetchConfig config, int runNumber, Path urls, List<String> settings,
                       List<String> command) {
    }

    /**
     * A new file for the run among {@code files}; one that cannot be made fails the run, named
     * with why: the comparison goes on without it.
     */
    private static Path newFile(RunFiles files, String prefix, String suffix, String what)
            throws Failed {
        try {
            return files.newFile(prefix, suffix);
        } catch (IOException e) {
            throw new Failed(what + " could not be made: " + FileErrors.describe(e), null,
                    null);
        }
    }

    /**
     * Tidies a stopped run's files as far as they allow: its measurement gone, its log moved
     * into the shared one. A file that fails is noted on {@code stop}, which stays a stop, not
     * a failed run.
     */
    private static void tidyStopped(Exception stop, Path measured, Path runLog,
                                    RunFiles files) {
        deleteOnFailure(stop, measured);
        try {
            appendTo(files, runLog);
        } catch (IOException e) {
            stop.addSuppressed(e);
        }
    }

    /** Removes a failed run's files, and notes on {@code failure} any that stay. */
    private static void deleteOnFailure(Exception failure, Path... files) {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }

    /**
     * The run failed for {@code why}, said in its log too (a JVM killed, by the OOM killer or
     * a crash, writes nothing there). A log that cannot be rewritten is named as the run left
     * it, when it is still there, and the failure says why it was not rewritten. The log it
     * names is kept by {@code files}' tidy-up, as a failed run's, under a kept log's name.
     */
    private static Failed failure(Run run, String why, Integer code, Path runLog,
                                  RunFiles files) {
        String said = why;
        Path log = runLog;
        try {
            describeFailure(run, why, code != null, runLog, files);
        } catch (IOException e) {
            said = why + "; its log could not be written: " + FileErrors.describe(e);
            log = Files.exists(runLog) ? runLog : null;
        }
        return new Failed(said, code, log == null ? null : files.keepAsFailed(log));
    }

    /**
     * Rewrites a failed run's log to open with which run failed, on what, and why; then what
     * it wrote; then its command, one argument a line: on one line, its thousands of columns
     * (the class path, the JVM's settings) would bury the line saying why.
     */
    private static void describeFailure(Run run, String why, boolean started, Path runLog,
                                        RunFiles files) throws IOException {
        String nl = System.lineSeparator();
        long written = Files.size(runLog);
        StringBuilder head = new StringBuilder()
                .append("bulkfetch compare: run ").append(run.runNumber()).append(" of ")
                .append(run.config().engine()).append(" at -c ")
                .append(run.config().concurrency()).append(" failed: ").append(why).append(nl)
                .append("Its list: ").append(run.urls()).append(nl)
                .append("Its settings: ").append(String.join(" ", run.settings())).append(nl)
                .append(nl);
        if (started) {
            head.append(written == 0 ? "Its standard error was empty."
                    : "Its standard error:").append(nl);
        }
        StringBuilder tail = new StringBuilder();
        if (written > 0 && lastByte(runLog, written) != '\n') {
            tail.append(nl);
        }
        if (started) {
            tail.append(nl);
        }
        tail.append("Its command, one argument a line:").append(nl);
        for (String argument : run.command()) {
            tail.append("    ").append(argument).append(nl);
        }
        // Into a new file moved over the log, the run's output copied as bytes (a JVM that
        // crashed may have written anything, and much of it): a failed write leaves the log as
        // the run left it, and no copy of it is held in memory.
        Path rewritten = files.newFile(ScratchFiles.REWRITE, ".log");
        try {
            try (var out = Files.newOutputStream(rewritten)) {
                out.write(head.toString().getBytes(StandardCharsets.UTF_8));
                Files.copy(runLog, out);
                out.write(tail.toString().getBytes(StandardCharsets.UTF_8));
            }
            files.replace(rewritten, runLog);
        } finally {
            Files.deleteIfExists(rewritten);
        }
    }

    private static int lastByte(Path file, long size) throws IOException {
        try (var channel = Files.newByteChannel(file)) {
            java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
            channel.position(size - 1).read(last);
            return last.get(0);
        }
    }

    /**
     * Moves a run's log to the end of the shared one, which is made only for something. A log
     * that cannot be moved there is kept as it is, under a name no later compare removes.
     */
    private static void appendTo(RunFiles files, Path runLog) throws IOException {
        try {
            if (Files.size(runLog) > 0) {
                files.append(Files.readAllBytes(runLog));
            }
        } catch (IOException e) {
            files.keep(runLog);
            throw e;
        }
        Files.delete(runLog);
    }
}
