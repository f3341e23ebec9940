package dev.bulkfetch.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A handler for each stop signal (Ctrl-C, SIGTERM, SIGHUP) while a run goes on, the handlers
 * that were there before put back on {@link #close()}: fetch's {@link Interrupts} and compare's
 * {@link InterruptOnSignal} each hold one. A signal ignored when the JVM started stays ignored
 * (nohup ignores SIGHUP, a shell's background job SIGINT): the JVM installs no handler for it.
 */
final class StopSignals implements AutoCloseable {

    /** How long a handler waits for stderr to take what it says. */
    static final Duration SAY_AT_MOST = Duration.ofMillis(200);

    // By Stop's ordinal; null where the JVM keeps the signal to itself (-Xrs): the run goes on
    // without a handler for it.
    private final SignalHandler[] previous = new SignalHandler[Interrupts.Stop.values().length];

    private StopSignals(Consumer<Interrupts.Stop> handler) {
        for (Interrupts.Stop stop : Interrupts.Stop.values()) {
            previous[stop.ordinal()] = handle(stop.signal, signal -> handler.accept(stop));
        }
    }

    /**
     * Hands each stop signal to {@code handler}, which the JVM runs on a thread of its own per
     * signal, so two may run at once.
     */
    static StopSignals install(Consumer<Interrupts.Stop> handler) {
        return new StopSignals(handler);
    }

    private static SignalHandler handle(Signal signal, SignalHandler handler) {
        try {
            return Signal.handle(signal, handler);
        } catch (IllegalArgumentException reservedByTheJvm) {
            return null;
        }
    }

    /**
     * Prints {@code line} on {@code err}, waiting {@link #SAY_AT_MOST} at most: stderr may be
     * blocked (a full pipe, a reader that stopped), and a handler waiting on it could not act
     * on its signal. What is not written by then is written when stderr takes it.
     */
    static void say(PrintWriter err, String line) {
        try {
            Thread.ofVirtual().name("bulkfetch-say").start(() -> {
                err.println(line);
                err.flush();
            }).join(SAY_AT_MOST);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Interrupts.Stop stop : Interrupts.Stop.values()) {
            if (previous[stop.ordinal()] != null) {
                Signal.handle(stop.signal, previous[stop.ordinal()]);
            }
        }
    }
}
