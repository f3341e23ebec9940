package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.TestServer;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second stop signal while compare is stopping its run quits at once: the forked run gone,
 * compare's own files removed, the second signal's exit code. Real signals to a real compare,
 * and the tidy-up it does against the runs' thread, held where it writes.
 */
class CompareQuitAtOnceTest {

    @TempDir
    Path dir;

    /**
     * A first stop takes compare a few milliseconds, too few for a second signal to land in,
     * unless the stop is stuck, as on a hung file system: here in moving the stopped run's
     * standard error into runs.log, a named pipe that takes no more once full. quitAtOnce had
     * no test: a body that did nothing left compare stuck, its run's files behind it. The
     * run's log, its standard error in it, was kept as a failed run's, though the run was
     * stopped: it goes with the rest.
     */
    @Test
    void aSecondSignalWhileCompareIsStoppingQuitsAtOnceAndTidies() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/long-held/", 40);  // 60 s, one at a time
            Path report = Files.createDirectories(dir.resolve("report"));
            Path runsLog = report.resolve("runs.log");
            Process mkfifo = new ProcessBuilder("mkfifo", runsLog.toString()).start();
            assertThat(mkfifo.waitFor()).as("mkfifo").isZero();
            Path err = dir.resolve("err.txt");
            // Each class the JVM loads, a line on stderr, a setting compare passes on to its
            // runs: the run's standard error is then more than the pipe holds (64 KiB).
            Process compare = Child.start(err, List.of("-Xlog:class+load=info:stderr"),
                    "compare", list.toString(), "--engines", "serial", "--warmup", "0",
                    "--report", report.toString());
            AtomicReference<List<ProcessHandle>> runs = new AtomicReference<>(List.of());
            // Opens as compare opens the pipe to write, then reads nothing: compare is stuck.
            CompletableFuture<InputStream> stuck = new CompletableFuture<>();
            try {
                assertThat(Await.until(() -> {
                    runs.set(compare.descendants().toList());
                    return !runs.get().isEmpty() && server.counter().inFlight() > 0;
                }, compare, Duration.ofSeconds(60))).as("the run under way").isTrue();

                Child.signal(compare, "TERM");
                Child.awaitText(err, "stopping the run going on", compare,
                        Duration.ofSeconds(30));
                Thread.ofVirtual().start(() -> {
                    try {
                        stuck.complete(new FileInputStream(runsLog.toFile()));
                    } catch (IOException e) {
                        stuck.completeExceptionally(e);
                    }
                });
                assertThat(stuck.get(30, TimeUnit.SECONDS)).as("compare writing runs.log")
                        .isNotNull();
                // Another signal, so not taken for the first one's copy.
                Child.signal(compare, "INT");

                // A bound only so that a compare still stuck fails the test.
                assertThat(compare.waitFor(60, TimeUnit.SECONDS)).as("compare ended").isTrue();
            } finally {
                compare.destroyForcibly();
                compare.descendants().forEach(ProcessHandle::destroyForcibly);
                if (stuck.isDone() && !stuck.isCompletedExceptionally()) {
                    stuck.join().close();
                } else if (!stuck.isDone() && Files.exists(runsLog)) {
                    // A writer lets the reader's open return, so no thread is left on it.
                    new FileOutputStream(runsLog.toFile()).close();
                }
            }
            String stderr = Files.readString(err);
            assertThat(compare.exitValue()).as(stderr).isEqualTo(130);
            assertThat(stderr).contains("compare: quitting at once, with no report of the runs");
            assertThat(Await.until(() -> runs.get().stream().noneMatch(ProcessHandle::isAlive),
                    Duration.ofSeconds(10))).as("the run ended with compare").isTrue();
            try (var left = Files.list(report)) {
                assertThat(left.map(f -> f.getFileName().toString()))
                        .as("the copies of the list, runs.log, the run's measurement and log,"
                                + " the folder's lock")
                        .noneMatch(name -> name.startsWith(".bulkfetch-compare"))
                        .noneMatch(name -> name.equals("runs.log"))
                        .noneMatch(name -> name.startsWith("measured-run-"));
            }
        }
    }

    /**
     * From review: quitting at once tidied while the runs' thread, stopping its run on the
     * first signal, could still be moving the run's standard error into runs.log, which it then
     * made again after its removal. The tidy-up closes the runs' files first: the runs' thread,
     * held just before it writes and let go after the tidy-up, makes none. The run it stopped
     * is no failed one: its log, a line in it, was kept as a failed run's. It goes with the
     * rest; the log of a run that failed before it stays.
     */
    @Test
    void theRunsThreadStoppingItsRunMakesNoFileAfterTheQuittingTidyUp() throws Exception {
        // Stand-ins for java: one fails, one is held until it is killed, each saying a line.
        Path failing = script("failing-java", "echo 'a failure of the run' >&2\nexit 3");
        Path held = script("java", "echo 'a warning of the run' >&2\nexec sleep 600");
        Path work = dir.resolve("work");
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch tidied = new CountDownLatch(1);
        RunFiles files = new RunFiles(work.resolve("runs.log"), () -> {
            writing.countDown();
            try {
                tidied.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Comparison.Plan plan = new Comparison.Plan(dir.resolve("list.txt"),
                List.of(EngineKind.THREADS, EngineKind.SERIAL), List.of(4), 1, 0, null,
                FetchConfig.builder().build());
        CompletableFuture<Comparison.Result> result = new CompletableFuture<>();
        Thread runs = Thread.ofPlatform().name("compare-runs").start(() -> {
            try {
                result.complete(Comparison.run(plan, new PrintWriter(new StringWriter()), files,
                        engine -> engine == EngineKind.SERIAL ? held : failing));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            assertThat(Await.until(() -> serialLogWritten(work), Duration.ofSeconds(30)))
                    .as("the serial run under way, a line in its log").isTrue();

            // The first signal: the runs' thread stops the run, then moves its log.
            runs.interrupt();
            assertThat(writing.await(30, TimeUnit.SECONDS)).as("about to write runs.log")
                    .isTrue();
            // The second: quitAtOnce's tidy-up.
            List<Path> kept = files.close();
            tidied.countDown();

            Comparison.Result stopped = result.get(30, TimeUnit.SECONDS);
            assertThat(stopped.interrupted()).isTrue();
            Path failedLog = stopped.failed().getFirst().log();
            assertThat(stopped.failed()).extracting(Comparison.FailedRun::engine)
                    .containsExactly("threads");
            assertThat(kept).as("failed runs' logs").containsExactly(failedLog);
            try (var left = Files.list(work)) {
                assertThat(left).as("the stopped run's files, runs.log")
                        .containsExactly(failedLog);
            }
        } finally {
            tidied.countDown();
            runs.interrupt();
            runs.join(Duration.ofSeconds(30));
        }
    }

    private Path script(String name, String body) throws IOException {
        Path script = TestServer.write(dir.resolve(name), "#!/bin/sh\n" + body + "\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        return script;
    }

    private static boolean serialLogWritten(Path work) throws IOException {
        if (!Files.isDirectory(work)) {
            return false;
        }
        try (var files = Files.list(work)) {
            for (Path file : files.filter(f -> f.getFileName().toString()
                    .matches("\\.bulkfetch-compare-run-serial-.*\\.log")).toList()) {
                if (Files.size(file) > 0) {
                    return true;
                }
            }
            return false;
        }
    }
}
