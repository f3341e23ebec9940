package dev.bulkfetch.compare;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.bulkfetch.FetchConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    static Measurement run(FetchConfig config, Path urls, int warmup, int repeat, Path log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
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
        command.addAll(List.of("--engine", config.engine().cliName(),
                "-c", Integer.toString(config.concurrency()),
                "--warmup", Integer.toString(warmup), "--repeat", Integer.toString(repeat),
                "--connect-timeout", config.connectTimeout().toMillis() + "ms",
                "--timeout", config.requestTimeout().toMillis() + "ms",
                "--idle-timeout", config.idleTimeout().toMillis() + "ms",
                "--max-body", Long.toString(config.maxBodyBytes()),
                "--max-redirects", Integer.toString(config.maxRedirects()),
                "--retries", Integer.toString(config.retries().maxRetries())));
        // To a file, not a pipe, so this thread waits in waitFor, which an interrupt ends. One
        // of its own: two compares may share a --report folder.
        Path measured = Files.createTempFile(log.getParent(), "measured-run-", ".json");
        Process child = new ProcessBuilder(command)
                .redirectOutput(measured.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        // A compare stopped (Ctrl-C to its JVM alone, a SIGTERM) takes its run with it: the
        // child went on sending requests on its own for as long as its run had left.
        Thread stop = new Thread(child::destroyForcibly, "bulkfetch-compare-child");
        try {
            Runtime.getRuntime().addShutdownHook(stop);
        } catch (IllegalStateException shuttingDown) {
            // Stopped just as this run started: it must not go on alone after this JVM.
            child.destroyForcibly();
            Files.deleteIfExists(measured);
            throw shuttingDown;
        }
        int code;
        try {
            code = child.waitFor();
        } catch (InterruptedException e) {
            // Stopped: the run goes too, and is gone before the caller reports what finished.
            child.destroyForcibly();
            child.onExit().join();
            Files.deleteIfExists(measured);
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs: the child goes with this JVM.
            }
        }
        // A Ctrl-C landing now would fail this read (an interruptible channel) as an I/O
        // error: it is kept for the caller, who stops at the next run, this one measured.
        boolean interrupted = Thread.interrupted();
        String text;
        try {
            text = Files.readString(measured, StandardCharsets.UTF_8).strip();
            Files.delete(measured);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (code != 0 || text.isEmpty()) {
            throw new IOException("the measured run of " + config.engine() + " at -c "
                    + config.concurrency() + " failed (exit " + code + "); its log: " + log
                    + (Files.exists(log) ? "" : " (empty)"));
        }
        String last = text.substring(text.lastIndexOf('\n') + 1);
        return JSON.readValue(last, Measurement.class);
    }
}
