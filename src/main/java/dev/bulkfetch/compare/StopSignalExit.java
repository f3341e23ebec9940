package dev.bulkfetch.compare;

import java.time.Duration;
import java.util.Set;

/**
 * A run whose JVM a stop signal ended (SIGHUP, SIGINT or SIGTERM: exit 129, 130 or 143): stopped
 * with compare, or failed.
 *
 * <p>A terminal's Ctrl-C and hang-up, timeout(1)'s signal and systemd's stop reach compare's
 * whole process group, compare and its run at once. The run ignores the three (the probe
 * command), so compare alone ends it and reports it stopped, not failed. A run whose JVM is
 * still starting has not ignored them yet: it dies of the signal at once, and the runs' thread
 * could see it exit before compare's own handler, on a thread of its own, had interrupted it.
 * The run was then reported failed ("its JVM exited 130 (ended by signal 2)"), its log kept.
 *
 * <p>So a run ended by a stop signal waits, {@link #GRACE} at most, for compare's own stop,
 * which interrupts the runs' thread: when it comes the run was stopped with compare; when it
 * does not, the signal was the run's alone (sent to its pid), and it failed. Only such a run
 * waits: one that compare stops, or that ends any other way, is decided at once.
 *
 * <p>Not settled instead by starting the run deaf to the signals (an ignored signal survives
 * exec, as {@code sh -c 'trap "" HUP INT TERM; exec java ...'} would have it) or outside
 * compare's process group (setsid(1)): Java starts a child through a helper program of its
 * own, and the wrapper would start before its ignoring did, so the window would be narrower
 * but still open; and a java that cannot start would read as the wrapper's exit 127.
 */
final class StopSignalExit {

    /**
     * How long a run ended by a stop signal waits for compare's: the signal reached compare as
     * it reached the run, and its handler interrupts within milliseconds, after saying so on
     * stderr (200 ms at most when stderr is blocked). A run's signal of its own costs this.
     */
    static final Duration GRACE = Duration.ofSeconds(2);

    // 128 + the signal's number: SIGHUP, SIGINT, SIGTERM, whether the JVM died of the signal
    // before handling it or exited for it through its shutdown.
    private static final Set<Integer> STOP_EXITS = Set.of(128 + 1, 128 + 2, 128 + 15);

    private StopSignalExit() {
    }

    /**
     * Returns when a run whose JVM exited {@code exitCode} failed: at once for a code no stop
     * signal gives, after {@code grace} for one that does. Throws when compare was stopped
     * too: this thread interrupted already, or within {@code grace}.
     *
     * @throws InterruptedException compare was stopped: the run was stopped with it, not
     *     failed; the interrupt is cleared, as by any method that throws this
     */
    static void awaitComparesStop(int exitCode, Duration grace) throws InterruptedException {
        if (!STOP_EXITS.contains(exitCode)) {
            return;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("stopped with compare");
        }
        Thread.sleep(grace);
    }
}
