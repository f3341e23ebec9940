package dev.bulkfetch.output;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * A line on a terminal's stderr redrawn twice a second: done, rate, in flight, errors. Runs on
 * its own daemon thread and only reads counters, so it never slows the run.
 */
public final class ProgressLine implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("bulkfetch-progress").daemon().factory());
    private final PrintWriter err;
    private final Tally tally;
    private final IntSupplier inFlight;
    private final long start = System.nanoTime();
    // Held by each draw and by the clear: once closed, no draw writes after the clear.
    private final Object lock = new Object();
    // Guarded by lock.
    private boolean closed;

    public ProgressLine(PrintWriter err, Tally tally, IntSupplier inFlight) {
        this.err = err;
        this.tally = tally;
        this.inFlight = inFlight;
        timer.scheduleAtFixedRate(this::draw, 500, 500, TimeUnit.MILLISECONDS);
    }

    private void draw() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long done = tally.items();
            err.printf(Locale.ROOT, "\r%,d done  %.0f/s  %d in flight  %,d errors   ", done,
                    done / Math.max(seconds, 1e-3), inFlight.getAsInt(), tally.failures());
            err.flush();
        }
    }

    /** Says {@code line} on a line of its own, in place of the progress line, drawn again next. */
    public void note(String line) {
        synchronized (lock) {
            err.print("\r\033[K");
            err.println(line);
            err.flush();
        }
    }

    /**
     * Clears the line for the summary. After a draw under way, never before it: the draw's
     * line written after the clear put the summary on the end of it.
     */
    @Override
    public void close() {
        timer.shutdownNow();
        synchronized (lock) {
            closed = true;
            err.print("\r\033[K");
            err.flush();
        }
    }
}
