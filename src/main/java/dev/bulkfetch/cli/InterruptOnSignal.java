package dev.bulkfetch.cli;

import java.io.PrintWriter;

/**
 * Ctrl-C, SIGTERM or SIGHUP during {@code compare}'s runs: the first interrupts the thread
 * running them, which stops the run going on and reports the runs that finished; the signal
 * then gives compare its exit code (130, 143, 129). SIGTERM and SIGHUP ended the JVM through
 * its shutdown, with a stack trace and no report of the runs that had finished. As in {@link
 * Interrupts}, a second signal exits at once (the shutdown hooks still take the forked run),
 * but not a copy of the first sent within {@link Interrupts#ECHO} (timeout(1) sends SIGTERM
 * twice), nor a second SIGHUP (a closing terminal hangs up twice). Interrupts stop with {@link
 * #close()}, which also clears one that came too late to be acted on, so what follows (the
 * report) is written in full.
 */
final class InterruptOnSignal implements AutoCloseable {

    private final Thread target;
    private final StopSignals signals;
    // All three guarded by this: the signals' threads and the closing one.
    private boolean armed = true;
    private Interrupts.Stop first;
    private long firstNanos;

    /**
     * Interrupts {@code target} on the first stop signal, saying so on {@code err}: "compare:
     * terminated (SIGTERM): " and then {@code doing}.
     */
    InterruptOnSignal(Thread target, String doing, PrintWriter err) {
        this.target = target;
        this.signals = StopSignals.install(stop -> stop(stop, doing, err));
    }

    private synchronized void stop(Interrupts.Stop signal, String doing, PrintWriter err) {
        long now = System.nanoTime();
        if (first == null && armed) {
            first = signal;
            firstNanos = now;
            err.println("\ncompare: " + signal.said() + ": " + doing + "; " + signal.again
                    + " quits at once");
            err.flush();
            target.interrupt();
            return;
        }
        boolean repeated = first != null && (signal == Interrupts.Stop.HUP
                || Interrupts.echo(first, firstNanos, signal, now));
        if (!repeated) {
            System.exit(signal.exitCode);
        }
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
