package dev.bulkfetch.output;

import dev.bulkfetch.input.InputItem;
import dev.bulkfetch.input.InputReader;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * A line on a terminal's stderr redrawn twice a second: done, rate, in flight, errors, and, for
 * an input whose lines are known, the line reached and the time left. Runs on its own daemon
 * thread and only reads counters, so it never slows the run.
 */
public final class ProgressLine implements AutoCloseable {

    /** The input's lines when they are not known (stdin, a pipe, records to a stream). */
    public static final long LINES_UNKNOWN = Long.MAX_VALUE;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("bulkfetch-progress").daemon().factory());
    private final PrintWriter err;
    private final Tally tally;
    private final IntSupplier inFlight;
    private final long lines;
    private final long start = System.nanoTime();
    // The seq of the last item the run read: written by its reader, read by the draws.
    private volatile long lineReached;
    // Held by each draw and by the clear: once closed, no draw writes after the clear.
    private final Object lock = new Object();
    // Guarded by lock.
    private boolean closed;

    public ProgressLine(PrintWriter err, Tally tally, IntSupplier inFlight) {
        this(err, tally, inFlight, LINES_UNKNOWN);
    }

    /**
     * A line that also says how far into the input's {@code lines} the run is, and the time
     * left at this run's rate, once items read through {@link #reading} have come.
     */
    public ProgressLine(PrintWriter err, Tally tally, IntSupplier inFlight, long lines) {
        this.err = err;
        this.tally = tally;
        this.inFlight = inFlight;
        this.lines = lines;
        timer.scheduleAtFixedRate(this::draw, 500, 500, TimeUnit.MILLISECONDS);
    }

    /**
     * {@code input}, noting each item's seq as it is read: the line reached; and, once it has
     * no more, its last line. A resume's reader passes over its kept items unseen, so the line
     * reached passes them as the next item comes, or as the input ends.
     */
    public InputReader reading(InputReader input) {
        return new InputReader() {
            @Override
            public boolean hasNext() {
                boolean more = input.hasNext();
                if (!more && lines != LINES_UNKNOWN) {
                    lineReached = lines;
                }
                return more;
            }

            @Override
            public InputItem next() {
                InputItem item = input.next();
                lineReached = item.seq();
                return item;
            }

            @Override
            public void close() throws java.io.IOException {
                input.close();
            }
        };
    }

    /** The seq of the last item read through {@link #reading}: 0 before the first. */
    long lineReached() {
        return lineReached;
    }

    private void draw() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            err.print("\r" + text(tally.items(), (System.nanoTime() - start) / 1e9,
                    inFlight.getAsInt(), tally.failures(), lineReached, lines) + "\033[K");
            err.flush();
        }
    }

    /**
     * The line's text, kept within 80 columns for a run of millions: counts past 9,999 are
     * shortened (12.3k, 1.23M). The time left is the lines not yet read and the items in
     * flight, at this run's rate of items done: a resume's kept items, skipped, cost it
     * nothing. Said once a second has gone and an item is done, as the first figures say
     * little.
     */
    static String text(long done, double seconds, int inFlight, long failures,
                       long lineReached, long lines) {
        double rate = done / Math.max(seconds, 1e-3);
        StringBuilder text = new StringBuilder(count(done)).append(" done  ")
                .append(count(Math.round(rate))).append("/s  ").append(count(inFlight))
                .append(" in flight  ").append(count(failures)).append(" errors");
        if (lines != LINES_UNKNOWN && lineReached > 0) {
            text.append("  line ").append(count(lineReached)).append('/').append(count(lines));
            if (done > 0 && seconds >= 1) {
                long left = Math.max(lines - lineReached, 0) + inFlight;
                text.append("  ETA ").append(duration(Math.round(left / rate)));
            }
        }
        return text.toString();
    }

    /** 9,999 in full; then 12.3k, 123k, 1.23M, 12.3M, 123M: rounded down, never up. */
    static String count(long n) {
        if (n < 10_000) {
            return String.format(Locale.ROOT, "%,d", n);
        }
        if (n < 100_000) {
            return String.format(Locale.ROOT, "%d.%dk", n / 1_000, n / 100 % 10);
        }
        if (n < 1_000_000) {
            return n / 1_000 + "k";
        }
        if (n < 10_000_000) {
            return String.format(Locale.ROOT, "%d.%02dM", n / 1_000_000, n / 10_000 % 100);
        }
        if (n < 100_000_000) {
            return String.format(Locale.ROOT, "%d.%dM", n / 1_000_000, n / 100_000 % 10);
        }
        return n / 1_000_000 + "M";
    }

    /**
     * 45s, 12m05s, 3h07m: to the second while it is minutes, to the minute after; past 99h,
     * only that, as a rate so slow says more than its figure.
     */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        if (seconds < 100 * 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return ">99h";
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
