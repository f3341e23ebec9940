package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Await;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * compare's handling of the stop signals, each signal's handler run on a thread of its own as
 * the JVM runs it; no signal is sent.
 */
class InterruptOnSignalTest {

    /**
     * After review: the first signal's handler said so on stderr holding the handler's lock, so
     * with stderr blocked (a full pipe) a second signal waited behind it and could not quit at
     * once, nor could the runs' thread close the handlers, and the runs were never interrupted.
     * The first now interrupts the runs after a moment's wait for stderr, a second quits with
     * its own exit code, and closing returns.
     */
    @Test
    void aSecondSignalQuitsWhileTheFirstsLineCannotBeWritten() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        PrintWriter blockedErr = new PrintWriter(new OutputStream() {
            @Override
            public void write(int b) throws InterruptedIOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws InterruptedIOException {
                writing.countDown();
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
            }
        });
        CountDownLatch runsInterrupted = new CountDownLatch(1);
        Thread runs = runsUntilInterrupted(runsInterrupted);
        CompletableFuture<Integer> quit = new CompletableFuture<>();
        InterruptOnSignal signals = new InterruptOnSignal(runs, "stopping the run going on",
                blockedErr, quit::complete);
        try {
            Thread.ofPlatform().start(() -> signals.stop(Interrupts.Stop.TERM));
            assertThat(writing.await(10, TimeUnit.SECONDS)).as("the first's line under way")
                    .isTrue();

            Thread.ofPlatform().start(() -> signals.stop(Interrupts.Stop.INT));

            assertThat(quit.get(10, TimeUnit.SECONDS)).as("Ctrl-C's exit code").isEqualTo(130);
            assertThat(runsInterrupted.await(10, TimeUnit.SECONDS))
                    .as("the runs interrupted by the first").isTrue();
            CompletableFuture.runAsync(signals::close).get(10, TimeUnit.SECONDS);
            assertThat(signals.stoppedBy()).isEqualTo(Interrupts.Stop.TERM);
        } finally {
            unblock.countDown();
            runs.interrupt();
            signals.close();
        }
    }

    /**
     * From a helper's report: a second SIGHUP during compare went by without a word, where
     * fetch says it goes on. compare now says so in fetch's words, and goes on stopping.
     */
    @Test
    void aSecondSighupIsSaidAndDoesNotQuit() throws Exception {
        StringWriter said = new StringWriter();
        CountDownLatch runsInterrupted = new CountDownLatch(1);
        Thread runs = runsUntilInterrupted(runsInterrupted);
        CompletableFuture<Integer> quit = new CompletableFuture<>();
        InterruptOnSignal signals = new InterruptOnSignal(runs, "stopping the run going on",
                new PrintWriter(said, true), quit::complete);
        try {
            signals.stop(Interrupts.Stop.HUP);
            signals.stop(Interrupts.Stop.HUP);

            // Each line waits for stderr a moment at most, and may come after it.
            String again = "\ncompare: hung up again: going on (a closing terminal hangs up"
                    + " twice); SIGTERM or Ctrl-C quits at once";
            assertThat(Await.until(() -> said.toString().contains(again),
                    Duration.ofSeconds(10))).as(said.toString()).isTrue();
            assertThat(said.toString()).contains("\ncompare: hung up (SIGHUP): stopping the run"
                    + " going on");
            assertThat(quit).isNotDone();
            assertThat(runsInterrupted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(signals.stoppedBy()).isEqualTo(Interrupts.Stop.HUP);
        } finally {
            runs.interrupt();
            signals.close();
        }
    }

    /** compare's runs, stood in for by a thread that waits until it is interrupted. */
    private static Thread runsUntilInterrupted(CountDownLatch interrupted) {
        return Thread.ofPlatform().name("runs").start(() -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
    }
}
