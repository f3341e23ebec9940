package dev.bulkfetch.testing;

import java.time.Duration;

/**
 * Polls for a condition another process or thread brings about, where nothing signals it: a
 * line in a child's file, a request held by the server. Bounded, so a test whose condition
 * never comes fails on its assertions rather than hanging.
 */
public final class Await {

    /** A condition that may need I/O to check. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /** Waits until {@code condition} holds or {@code limit} passes; whether it held. */
    public static boolean until(Condition condition, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** As {@link #until}, also ending when {@code child} has ended. */
    public static boolean until(Condition condition, Process child, Duration limit)
            throws Exception {
        return until(() -> condition.holds() || !child.isAlive(), limit) && condition.holds();
    }
}
