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

    /** Sends {@code signal} (e.g. INT) to {@code process}. */
    public static void signal(Process process, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
    }
}
