package dev.bulkfetch.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CLI as a child process, for what only a real process shows: kills and signals. */
public final class Child {

    private Child() {
    }

    /** Starts {@code bulkfetch ARGS} in a new JVM with {@code jvmArgs}; stderr goes to a file. */
    public static Process start(Path stderr, List<String> jvmArgs, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.bulkfetch.cli.Main");
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectErrorStream(false)
                .redirectError(stderr.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    /** Waits until {@code file} contains {@code text}, the process ends, or the limit passes. */
    public static void awaitText(Path file, String text, Process child, java.time.Duration limit)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (child.isAlive() && System.nanoTime() < deadline
                && !(java.nio.file.Files.exists(file)
                        && java.nio.file.Files.readString(file).contains(text))) {
            Thread.sleep(10);
        }
    }

    /** Sends {@code signal} (e.g. INT) to {@code process}. */
    public static void signal(Process process, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
    }
}
