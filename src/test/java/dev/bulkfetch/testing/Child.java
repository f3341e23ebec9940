package dev.bulkfetch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The CLI as a child process, for what only a real process shows: kills and signals, and
 * settings the JDK reads once per JVM.
 */
public final class Child {

    /**
     * SIGINT as a terminal's Ctrl-C finds it, and SIGHUP as a closing terminal finds it: a
     * build started in the background by a shell without job control has SIGINT ignored, one
     * under nohup SIGHUP, its children inherit that, and a JVM then keeps it ignored, so every
     * Ctrl-C test failed there. GNU env (coreutils 8.31 and later) resets them; where env
     * cannot, children start as before.
     */
    private static final List<String> DEFAULT_SIGINT = envResetsSigint()
            ? List.of("env", "--default-signal=INT,HUP") : List.of();

    private Child() {
    }

    /** {@code command}, started with SIGINT and SIGHUP at their defaults where env can. */
    public static List<String> withDefaultSignals(String... command) {
        List<String> all = new ArrayList<>(DEFAULT_SIGINT);
        all.addAll(List.of(command));
        return all;
    }

    /** Starts {@code bulkfetch ARGS} in a new JVM with {@code jvmArgs}; stderr goes to a file. */
    public static Process start(Path stderr, List<String> jvmArgs, String... args)
            throws IOException {
        return start(stderr, List.of(), jvmArgs, args);
    }

    /**
     * As {@link #start(Path, List, String...)}, no file it writes growing past {@code
     * maxFileBytes} ({@code prlimit --fsize}): a disk that fills up, for one process alone.
     */
    public static Process startWithFileSizeLimit(Path stderr, long maxFileBytes,
                                                 String... args) throws IOException {
        return startWithFileSizeLimit(null, stderr, maxFileBytes, args);
    }

    /** As {@link #startWithFileSizeLimit(Path, long, String...)}, reading stdin from a file. */
    public static Process startWithFileSizeLimit(Path stdin, Path stderr, long maxFileBytes,
                                                 String... args) throws IOException {
        return start(stdin, ProcessBuilder.Redirect.DISCARD, stderr,
                List.of("prlimit", "--fsize=" + maxFileBytes, "--"), List.of(), args);
    }

    /** As {@link #start(Path, List, String...)}, reading stdin from {@code stdin}. */
    public static Process startWithStdin(Path stdin, Path stderr, String... args)
            throws IOException {
        return start(stdin, ProcessBuilder.Redirect.DISCARD, stderr, List.of(), List.of(), args);
    }

    /** As {@link #start(Path, List, String...)}, with stdout to a file as well. */
    public static Process startWithOutput(Path stdout, Path stderr, String... args)
            throws IOException {
        return start(null, ProcessBuilder.Redirect.to(stdout.toFile()), stderr, List.of(),
                List.of(), args);
    }

    /**
     * As {@link #startWithOutput}, run by a shell that writes {@code before} to the same stdout
     * first and {@code after} once the run ends, as {@code { echo B; bulkfetch ...; echo A; }
     * > FILE} does: the three share one offset in the file.
     */
    public static Process startBetweenShellLines(Path stdout, Path stderr, String before,
                                                String after, String... args)
            throws IOException {
        return start(null, ProcessBuilder.Redirect.to(stdout.toFile()), stderr,
                betweenLines(before, after, ""), List.of(), args);
    }

    /** As {@link #startBetweenShellLines}, the shell's lines and the run's on stderr. */
    public static Process startBetweenShellLinesOnStderr(Path stderr, String before,
                                                        String after, String... args)
            throws IOException {
        return start(null, ProcessBuilder.Redirect.DISCARD, stderr,
                betweenLines(before, after, " >&2"), List.of(), args);
    }

    private static List<String> betweenLines(String before, String after, String to) {
        return List.of("sh", "-c", "echo '" + before + "'" + to + "; \"$@\"; code=$?; echo '"
                + after + "'" + to + "; exit $code", "sh");
    }

    /** As {@link #startWithOutput}, stdout appended to the file, as {@code >> FILE} has it. */
    public static Process startAppendingOutput(Path stdout, Path stderr, String... args)
            throws IOException {
        return start(null, ProcessBuilder.Redirect.appendTo(stdout.toFile()), stderr, List.of(),
                List.of(), args);
    }

    /**
     * As {@link #startWithOutput}, leading a process group of its own (setsid), as a job
     * started by a terminal, timeout(1) or systemd does: {@link #signalGroup} then reaches it
     * and every process it starts.
     */
    public static Process startWithOutputInOwnGroup(Path stdout, Path stderr, String... args)
            throws IOException {
        return start(null, ProcessBuilder.Redirect.to(stdout.toFile()), stderr,
                List.of("setsid"), List.of(), args);
    }

    /**
     * As {@link #start(Path, List, String...)}, with stdin a pipe the test writes to (the
     * process's output stream), open until the test closes it, as a quiet producer's is.
     */
    public static Process startWithStdinPipe(Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>(DEFAULT_SIGINT);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "dev.bulkfetch.cli.Main"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(stderr.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** As {@link #start(Path, List, String...)}, with stdout a pipe the test reads. */
    public static Process startPiped(Path stderr, String... args) throws IOException {
        return start(null, ProcessBuilder.Redirect.PIPE, stderr, List.of(), List.of(), args);
    }

    private static Process start(Path stderr, List<String> wrapper, List<String> jvmArgs,
                                 String... args) throws IOException {
        return start(null, ProcessBuilder.Redirect.DISCARD, stderr, wrapper, jvmArgs, args);
    }

    /** As {@link #start(Path, List, String...)}, with the class path {@code classPath}. */
    public static Process startWithClassPath(Path stderr, String classPath, String... args)
            throws IOException {
        return start(null, ProcessBuilder.Redirect.DISCARD, stderr, List.of(), List.of(),
                classPath, args);
    }

    private static Process start(Path stdin, ProcessBuilder.Redirect stdout, Path stderr,
                                 List<String> wrapper, List<String> jvmArgs, String... args)
            throws IOException {
        return start(stdin, stdout, stderr, wrapper, jvmArgs,
                System.getProperty("java.class.path"), args);
    }

    /**
     * As {@link #start(Path, List, String...)}, in the working folder {@code folder}: for
     * names relative to it ({@code .}).
     */
    public static Process startIn(Path folder, Path stderr, String... args) throws IOException {
        return builder(null, ProcessBuilder.Redirect.DISCARD, stderr, List.of(), List.of(),
                System.getProperty("java.class.path"), args).directory(folder.toFile()).start();
    }

    /** The child JVM; {@code stdin} null reads nothing (/dev/null). */
    private static Process start(Path stdin, ProcessBuilder.Redirect stdout, Path stderr,
                                 List<String> wrapper, List<String> jvmArgs, String classPath,
                                 String... args) throws IOException {
        return builder(stdin, stdout, stderr, wrapper, jvmArgs, classPath, args).start();
    }

    private static ProcessBuilder builder(Path stdin, ProcessBuilder.Redirect stdout,
                                          Path stderr, List<String> wrapper,
                                          List<String> jvmArgs, String classPath,
                                          String... args) {
        List<String> command = new ArrayList<>(DEFAULT_SIGINT);
        command.addAll(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classPath);
        command.add("dev.bulkfetch.cli.Main");
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectErrorStream(false)
                .redirectError(stderr.toFile())
                .redirectOutput(stdout)
                .redirectInput(ProcessBuilder.Redirect.from(stdin != null ? stdin.toFile()
                        : new java.io.File("/dev/null")));
    }

    /**
     * Runs {@code fetch} of the one URL {@code url}, with {@code args} after the list, in a new
     * JVM with {@code jvmArgs}, its files under {@code dir}; returns its one record.
     */
    public static JsonNode fetchOne(Path dir, List<String> jvmArgs, String url, String... args)
            throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), url + "\n");
        Path out = dir.resolve("out.jsonl");
        Files.deleteIfExists(out);
        List<String> command = new ArrayList<>(List.of("fetch", list.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-q", "-o", out.toString()));
        Process child = start(dir.resolve("err.txt"), jvmArgs, command.toArray(String[]::new));
        try {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        List<JsonNode> records = Records.read(out);
        assertThat(records).as(Files.readString(dir.resolve("err.txt"))).hasSize(1);
        return records.get(0);
    }

    /** Waits until {@code file} contains {@code text}, the process ends, or the limit passes. */
    public static void awaitText(Path file, String text, Process child, java.time.Duration limit)
            throws Exception {
        Await.until(() -> Files.exists(file) && Files.readString(file).contains(text), child,
                limit);
    }

    /**
     * Waits for {@code ready}, sends INT (Ctrl-C) to {@code child}, and waits up to
     * {@code limit} for it to end; whether it did. A child still running then is killed, so
     * no test leaves one behind.
     */
    public static boolean interruptAndWait(Process child, Await.Condition ready,
                                           java.time.Duration limit) throws Exception {
        return signalAndWait(child, "INT", ready, limit);
    }

    /**
     * Sends {@code signal} again, as a person would, for a run that has handled the first: a
     * second signal within 100 ms of the first is taken for one sender's second copy (as
     * timeout(1) sends SIGTERM twice) and goes unheeded, so the test lets that time pass. Not
     * a wait for the run: the separation is what the run tells a second signal by.
     */
    public static void signalAgain(Process child, String signal) throws Exception {
        Thread.sleep(150);
        signal(child, signal);
    }

    /** As {@link #interruptAndWait}, sending {@code signal} (INT, TERM, HUP). */
    public static boolean signalAndWait(Process child, String signal, Await.Condition ready,
                                        java.time.Duration limit) throws Exception {
        try {
            Await.until(ready, child, java.time.Duration.ofSeconds(60));
            signal(child, signal);
            return child.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            child.destroyForcibly();
        }
    }

    /**
     * Sends {@code signal} (INT, TERM, HUP) to {@code child} and waits until the run says, in
     * {@code stderr}, that it is finishing the requests in flight: its handler has run.
     */
    public static void stopAndAwaitGrace(Process child, String signal, Path stderr)
            throws Exception {
        signal(child, signal);
        awaitText(stderr, "finishing the requests in flight", child,
                java.time.Duration.ofSeconds(30));
    }

    /** Sends {@code signal} (e.g. INT) to {@code process}. */
    public static void signal(Process process, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
    }

    /**
     * Sends {@code signal} (INT, TERM, HUP) to the process group {@code leader} leads (started
     * by {@link #startWithOutputInOwnGroup}), as a terminal, timeout(1) or systemd sends it.
     */
    public static void signalGroup(Process leader, String signal) throws Exception {
        int code = new ProcessBuilder("kill", "-" + signal, "--", "-" + leader.pid()).start()
                .waitFor();
        assertThat(code).as("kill -%s -- -%d", signal, leader.pid()).isZero();
    }

    private static boolean envResetsSigint() {
        try {
            Process env = new ProcessBuilder("env", "--default-signal=INT,HUP", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!env.waitFor(10, TimeUnit.SECONDS)) {
                env.destroyForcibly();
                return false;
            }
            return env.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
