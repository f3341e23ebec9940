package dev.bulkfetch.cli;

import java.io.PrintWriter;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C during {@code compare}'s runs: the first interrupts the thread running them, which stops
 * the run going on and reports the runs that finished; a second exits at once (the shutdown
 * hooks still take the forked run). Interrupts stop with {@link #close()}, which also clears one
 * that came too late to be acted on, so what follows (the report) is written in full.
 */
final class InterruptOnCtrlC implements AutoCloseable {

    private static final Signal INT = new Signal("INT");

    private final Thread target;
    private final SignalHandler previous;
    // Both guarded by this: the signal's thread and the closing one.
    private boolean armed = true;
    private boolean interrupted;

    InterruptOnCtrlC(Thread target, String message, PrintWriter err) {
        this.target = target;
        this.previous = Signal.handle(INT, signal -> {
            synchronized (this) {
                if (interrupted || !armed) {
                    System.exit(ExitCodes.INTERRUPTED);
                }
                interrupted = true;
                err.println("\n" + message);
                err.flush();
                target.interrupt();
            }
        });
    }

    @Override
    public void close() {
        synchronized (this) {
            armed = false;
        }
        Signal.handle(INT, previous);
        if (Thread.currentThread() == target) {
            Thread.interrupted();
        }
    }
}
