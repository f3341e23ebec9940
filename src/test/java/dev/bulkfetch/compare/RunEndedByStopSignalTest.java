package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * From an exploratory test: Ctrl-C (or timeout(1)'s SIGINT) to compare's process group as a
 * run's JVM was starting, before it ignored the signal, killed the run, and the runs' thread
 * saw it exit before compare's own stop interrupted it: the run was reported failed ("its JVM
 * exited 130 (ended by signal 2)"), its log kept, and compare said "1 of 2 runs failed". Such
 * a run is stopped with compare; a run a stop signal ends while compare goes on still fails.
 */
class RunEndedByStopSignalTest {

    private static final FetchConfig SERIAL = FetchConfig.builder().engine(EngineKind.SERIAL)
            .concurrency(1).build();

    @TempDir
    Path dir;

    @Test
    void aRunEndedByAStopSignalIsStoppedWhenComparesStopComesAfterItsEnd() throws Exception {
        for (int code : List.of(129, 130, 143)) {
            CountDownLatch ended = new CountDownLatch(1);
            FutureTask<Void> runs = new FutureTask<>(() -> {
                ended.countDown();
                StopSignalExit.awaitComparesStop(code, Duration.ofMinutes(5));
                return null;
            });
            Thread thread = Thread.ofPlatform().name("runs-" + code).start(runs);
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();

            thread.interrupt();  // compare's handler, a moment after the run's end

            ExecutionException stopped = catchThrowableOfType(ExecutionException.class,
                    () -> runs.get(10, TimeUnit.SECONDS));
            assertThat(stopped).as("exit %d", code).isNotNull()
                    .cause().isInstanceOf(InterruptedException.class);
        }
    }

    @Test
    void aRunEndedByAStopSignalAfterComparesStopIsStoppedAtOnce() {
        Thread.currentThread().interrupt();

        assertThat(catchThrowableOfType(InterruptedException.class,
                () -> StopSignalExit.awaitComparesStop(130, Duration.ofMinutes(5)))).isNotNull();
        assertThat(Thread.interrupted()).as("the stop is the exception, not still pending")
                .isFalse();
    }

    @Test
    void aRunEndedByAStopSignalWhileCompareGoesOnFailed() throws Exception {
        for (int code : List.of(129, 130, 143)) {
            StopSignalExit.awaitComparesStop(code, Duration.ZERO);
        }
        assertThat(Thread.interrupted()).isFalse();
    }

    /** The OOM killer's SIGKILL, a crash, an error exit: failed, whatever compare does. */
    @Test
    void aRunEndedAnyOtherWayIsDecidedAtOnceAndKeepsComparesStopPending() throws Exception {
        for (int code : List.of(0, 1, 134, 137)) {
            Thread.currentThread().interrupt();

            StopSignalExit.awaitComparesStop(code, Duration.ofMinutes(5));

            assertThat(Thread.interrupted()).as("exit %d", code).isTrue();
        }
    }

    /**
     * The race itself, through a run whose stand-in JVM dies of SIGINT as compare is stopped:
     * compare's stop comes as the run ends (its connection to this test closes), in either
     * order. The run is stopped, not failed, and leaves no file behind.
     */
    @Test
    void aRunKilledBySigintAsCompareIsStoppedIsStoppedNotFailedAndLeavesNoFile()
            throws Exception {
        try (ServerSocket ends = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path java = diesOfSigint("exec 3<>/dev/tcp/127.0.0.1/" + ends.getLocalPort());
            Path log = dir.resolve("runs.log");
            FutureTask<Measurement> runs = new FutureTask<>(() -> Fork.run(java, SERIAL,
                    dir.resolve("list.txt"), 0, 1, log));
            Thread thread = Thread.ofPlatform().name("runs").start(runs);
            try (Socket run = ends.accept()) {
                assertThat(run.getInputStream().read()).as("the run's end").isEqualTo(-1);
            }

            thread.interrupt();  // compare's handler, as the signal reached it too

            ExecutionException stopped = catchThrowableOfType(ExecutionException.class,
                    () -> runs.get(30, TimeUnit.SECONDS));
            assertThat(stopped).isNotNull().cause().isInstanceOf(InterruptedException.class);
            try (var left = Files.list(dir)) {
                assertThat(left.map(f -> f.getFileName().toString()))
                        .containsExactly("java");
            }
        }
    }

    /** A run SIGINT ends alone (sent to its pid), compare going on: failed, its log kept. */
    @Test
    void aRunKilledBySigintWhileCompareGoesOnIsReportedFailedWithItsLog() throws Exception {
        Path java = diesOfSigint("");

        Fork.Failed failed = catchThrowableOfType(Fork.Failed.class,
                () -> Fork.run(java, SERIAL, dir.resolve("list.txt"), 0, 1,
                        dir.resolve("runs.log")));

        assertThat(failed).isNotNull();
        assertThat(failed.exitCode()).isEqualTo(130);
        assertThat(failed.getMessage()).isEqualTo("its JVM exited 130 (ended by signal 2)");
        assertThat(failed.log()).exists();
        assertThat(Thread.interrupted()).isFalse();
    }

    /** A stand-in for java that runs {@code first}, then dies of SIGINT. */
    private Path diesOfSigint(String first) throws Exception {
        Path java = dir.resolve("java");
        Files.writeString(java, "#!/bin/bash\n" + first + "\nkill -INT $$\nexit 3\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        return java;
    }
}
