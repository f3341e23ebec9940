package dev.bulkfetch.run;

import dev.bulkfetch.FetchResult;
import dev.bulkfetch.output.BodyStore;
import dev.bulkfetch.output.RecordSink;
import dev.bulkfetch.output.Tally;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;

/**
 * Writes records in completion order, or through the reorder window in input order; a
 * saved body gets its name as its record is written, not before. The driver's alone, as
 * every record is {@link BulkRun}'s driver's to write.
 *
 * <p>A record is counted as the sink takes it, but is written only when the sink's buffer
 * goes out: a sink that fails (its reader gone) loses what it held, which the tally is told
 * of, so the summary counts the records written. The tally keeps a few fields of each record
 * not yet flushed, to take back out; a flush every {@link #FLUSH_EVERY} records bounds them
 * on a run too busy ever to be idle, and bounds what the tally counts as lost that went out
 * anyway: a buffer between flushes goes out by itself when full (Jackson's 8 KiB, about 40
 * records), and which of those records the failed write had sent is not known. A sink that
 * flushes each record as it takes it (-o FILE's journal) holds none back: a write that fails
 * loses only the record it was of.
 */
final class RecordWriter {

    /** Records the sink takes at most between two flushes. */
    static final int FLUSH_EVERY = 64;

    private final RecordSink sink;
    private final Tally tally;
    private final BodyStore bodies;
    private final ReorderWindow window;
    private int unflushed;

    RecordWriter(RecordSink sink, Tally tally, BodyStore bodies, ReorderWindow window) {
        this.sink = sink;
        this.tally = tally;
        this.bodies = bodies;
        this.window = window;
    }

    boolean hasRoom() {
        return window == null || window.hasRoom();
    }

    long claim() {
        return window == null ? 0 : window.claim();
    }

    void write(long ordinal, FetchResult result) throws IOException {
        if (window == null) {
            emit(result);
        } else {
            throughWindow(() -> window.complete(ordinal, result, this::emitUnchecked));
        }
    }

    /** Item {@code ordinal} gets no record: the ones after it no longer wait for it. */
    void skip(long ordinal) throws IOException {
        if (window != null) {
            throughWindow(() -> window.skip(ordinal, this::emitUnchecked));
        }
    }

    /** Writes every result the window still holds, in input order, past any gap. */
    void drain() throws IOException {
        if (window != null) {
            throughWindow(() -> window.drain(this::emitUnchecked));
        }
    }

    /** Runs {@code release}, which writes what the window lets go, rethrowing its error. */
    private static void throughWindow(Runnable release) throws IOException {
        try {
            release.run();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Flushes before the driver blocks, so output never waits in a buffer while idle. */
    void flushIfIdle(BlockingQueue<?> queue) throws IOException {
        if (queue.isEmpty()) {
            flush();
        }
    }

    void flush() throws IOException {
        if (unflushed > 0) {
            try {
                sink.flush();
            } catch (IOException e) {
                tally.lost();
                throw e;
            }
            tally.flushed();
            unflushed = 0;
        }
    }

    private void emit(FetchResult result) throws IOException {
        FetchResult written = bodies == null ? result : bodies.attach(result);
        // Counted before the sink takes it: a write that fails loses it with the rest.
        tally.add(written);
        try {
            sink.accept(written);
        } catch (IOException e) {
            tally.lost();
            throw e;
        }
        if (sink.flushesEach()) {
            tally.flushed();  // out already: a write that fails later does not lose it
        } else if (++unflushed >= FLUSH_EVERY) {
            flush();
        }
    }

    private void emitUnchecked(FetchResult result) {
        try {
            emit(result);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
