package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.TestServer;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second stop signal while compare is stopping its run quits at once: the forked run gone,
 * compare's own files removed, the second signal's exit code. Real signals to a real compare.
 */
class CompareQuitAtOnceTest {

    @TempDir
    Path dir;

    /**
     * A first stop takes compare a few milliseconds, too few for a second signal to land in,
     * unless the stop is stuck, as on a hung file system: here in moving the stopped run's
     * standard error into runs.log, a named pipe that takes no more once full. quitAtOnce had
     * no test: a body that did nothing left compare stuck, its run's files behind it.
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
                        .as("the copies of the list, runs.log, the run's measurement")
                        .noneMatch(name -> name.startsWith(".bulkfetch-lists-"))
                        .noneMatch(name -> name.equals("runs.log"))
                        .noneMatch(name -> name.matches("measured-run-.*\\.json"));
            }
        }
    }
}
