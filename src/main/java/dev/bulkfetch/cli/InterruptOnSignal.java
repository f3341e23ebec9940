package dev.bulkfetch.cli;

import java.io.PrintWriter;
import java.util.function.IntConsumer;

/**
 * Ctrl-C, SIGTERM or SIGHUP during {@code compare}'s runs: the first interrupts the thread
 * running them, which stops the run going on and reports the runs that finished; the signal
 * then gives compare its exit code (130, 143, 129). SIGTERM and SIGHUP ended the JVM through
 * its shutdown, with a stack trace and no report of the runs that had finished. As in {@link
 * Interrupts}, a second signal quits at once, but not a copy of the first sent within {@link
 * Interrupts#ECHO} (timeout(1) sends SIGTERM twice), nor a second SIGHUP (a closing terminal
 * hangs up twice), which is said in fetch's words. Interrupts stop with {@link #close()},
 * which also clears one that came too late to be acted on, so what follows (the report) is
 * written in full.
 *
 * <p>What a signal does is decided under this object's lock and done after it is released, as
 * in {@link Interrupts}: saying so waits on stderr, which may be blocked (a full pipe), and a
 * handler waiting there holding the lock kept a second signal from quitting and {@link
 * #close()} from returning. Each line waits for stderr a moment at most ({@link
 * StopSignals#say}), so a blocked stderr delays the interrupt by that moment, no more.
 */
final class InterruptOnSignal implements AutoCloseable {

    private enum Act { INTERRUPT, QUIT, HUNG_UP_AGAIN, NOTHING }

    private final Thread target;
    private final String doing;
    private final PrintWriter err;
    private final IntConsumer quit;
    private final StopSignals signals;
    // All three guarded by this: the signals' threads and the closing one.
    private boolean armed = true;
    private Interrupts.Stop first;
    private long firstNanos;

    /**
     * Interrupts {@code target} on the first stop signal, saying so on {@code err}: "compare:
     * terminated (SIGTERM): " and then {@code doing}. At a second, or at one that comes as it
     * closes, hands its exit code to {@code quit}, which ends the JVM at once: halts it, not
     * exits, for exiting runs the shutdown hooks, and they stop the run going on under the
     * thread running it, which then fails ("the JVM is shutting down").
     */
    InterruptOnSignal(Thread target, String doing, PrintWriter err, IntConsumer quit) {
        this.target = target;
        this.doing = doing;
        this.err = err;
        this.quit = quit;
        this.signals = StopSignals.install(this::stop);
    }

    /** What the JVM runs for {@code signal}, on a thread of its own for each signal. */
    void stop(Interrupts.Stop signal) {
        Act act;
        synchronized (this) {
            act = decide(signal, System.nanoTime());
        }
        switch (act) {
            case INTERRUPT -> {
                StopSignals.say(err, "\ncompare: " + signal.said() + ": " + doing + "; "
                        + signal.again + " quits at once");
                target.interrupt();
            }
            case QUIT -> {
                // Said, or a user who pressed twice cannot tell a quit from a crash.
                StopSignals.say(err, "\ncompare: quitting at once, with no report of the runs");
                quit.accept(signal.exitCode);
            }
            case HUNG_UP_AGAIN ->
                // Said as fetch says it: it went by without a word, and a log could not tell
                // it from a hang-up that never came.
                StopSignals.say(err, "\ncompare: " + Interrupts.HUNG_UP_AGAIN);
            case NOTHING -> {
            }
        }
    }

    // Holding this object's lock.
    private Act decide(Interrupts.Stop signal, long now) {
        if (first == null && armed) {
            first = signal;
            firstNanos = now;
            return Act.INTERRUPT;
        }
        if (first != null && signal == Interrupts.Stop.HUP) {
            return Act.HUNG_UP_AGAIN;
        }
        boolean echo = first != null && Interrupts.echo(first, firstNanos, signal, now);
        return echo ? Act.NOTHING : Act.QUIT;
    }

    /** The signal that stopped the runs, or {@code null} when none did. */
    synchronized Interrupts.Stop stoppedBy() {
        return first;
    }

    @Override
    public void close() {
        synchronized (this) {
            armed = false;
        }
        signals.close();
        if (Thread.currentThread() == target) {
            Thread.interrupted();
        }
    }
}
