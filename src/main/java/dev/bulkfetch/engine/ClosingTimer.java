package dev.bulkfetch.engine;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The event-loop engine's timer (request timeouts, {@link IdleWatch}, the keep-alive pool's idle
 * sweep): Netty's wheel, as AHC would build it, except that once it is stopping it declines new
 * timeouts instead of throwing.
 *
 * <p>Why: AHC's idle sweep reschedules itself from the timer's own thread. When the client closes
 * while a sweep is running, the reschedule meets a stopped wheel, and Netty logs the
 * {@code IllegalStateException} as a warning with its stack trace on the user's terminal at the
 * end of an otherwise clean run. A timeout declined here is one that would never have fired.
 */
final class ClosingTimer implements Timer {

    private final HashedWheelTimer wheel;
    private volatile boolean stopping;

    ClosingTimer(String threadName) {
        // A tick of 10 ms, not AHC's 100: a timeout fires at the first tick past its deadline,
        // so --timeout 300ms ended requests at 400 ms and more, where the JDK engines end them
        // within 10 ms. The idle wheel wakes 100 times a second, a few microseconds each. A
        // daemon thread, so a forgotten client never holds the JVM open.
        this.wheel = new HashedWheelTimer(new DefaultThreadFactory(threadName, true),
                10, TimeUnit.MILLISECONDS, 512);
    }

    @Override
    public Timeout newTimeout(TimerTask task, long delay, TimeUnit unit) {
        if (!stopping) {
            try {
                return wheel.newTimeout(task, delay, unit);
            } catch (IllegalStateException stoppedMeanwhile) {
                if (!stopping) {
                    throw stoppedMeanwhile;
                }
            }
        }
        return new Declined(task);
    }

    /** Stops the wheel and waits for its thread; the timeouts still pending never fire. */
    @Override
    public Set<Timeout> stop() {
        stopping = true;
        return wheel.stop();
    }

    private final class Declined implements Timeout {
        private final TimerTask task;

        Declined(TimerTask task) {
            this.task = task;
        }

        @Override
        public Timer timer() {
            return ClosingTimer.this;
        }

        @Override
        public TimerTask task() {
            return task;
        }

        @Override
        public boolean isExpired() {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return true;
        }

        @Override
        public boolean cancel() {
            return false;
        }
    }
}
