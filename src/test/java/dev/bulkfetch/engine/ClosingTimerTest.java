package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Timeout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClosingTimerTest {

    /**
     * AHC's idle sweep reschedules itself from the timer's thread. A sweep still running when
     * the client closes must find its reschedule declined, not thrown (Netty would log that
     * throw as a warning with a stack trace at the end of the run). The wheel marks itself
     * stopped before it interrupts its thread, so a task woken by that interrupt reschedules
     * exactly as a sweep caught by the close does.
     */
    @Test
    void aTaskReschedulingWhileTheTimerStopsIsDeclinedNotThrown() throws Exception {
        ClosingTimer timer = new ClosingTimer("closing-timer-test");
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Timeout> rescheduled = new CompletableFuture<>();
        timer.newTimeout(first -> {
            running.countDown();
            try {
                new CountDownLatch(1).await(); // until stop() interrupts this thread
            } catch (InterruptedException stopping) {
                try {
                    rescheduled.complete(timer.newTimeout(next -> { }, 1, TimeUnit.SECONDS));
                } catch (RuntimeException e) {
                    rescheduled.completeExceptionally(e);
                }
            }
        }, 0, TimeUnit.MILLISECONDS);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

        timer.stop();

        Timeout declined = rescheduled.get(10, TimeUnit.SECONDS);
        assertThat(declined.isCancelled()).isTrue();
        assertThat(declined.isExpired()).isFalse();
    }

    @Test
    void timeoutsFireUntilTheTimerStops() throws Exception {
        ClosingTimer timer = new ClosingTimer("closing-timer-test");
        try {
            CountDownLatch fired = new CountDownLatch(1);
            timer.newTimeout(timeout -> fired.countDown(), 1, TimeUnit.MILLISECONDS);
            assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            timer.stop();
        }
        assertThat(timer.newTimeout(timeout -> { }, 1, TimeUnit.MILLISECONDS).isCancelled())
                .isTrue();
    }
}
