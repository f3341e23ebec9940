package dev.bulkfetch.run;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.engine.Engine;
import dev.bulkfetch.engine.Outcome;
import dev.bulkfetch.input.InputItem;
import dev.bulkfetch.limit.Admission;
import dev.bulkfetch.output.RecordSink;
import dev.bulkfetch.output.Summary;
import dev.bulkfetch.output.Tally;
import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Drives one bulk run: input -> admission -> engine -> output, on the calling thread.
 *
 * <p>The caller's thread is the driver. It takes the next input item only after admission has a
 * free permit (backpressure: memory follows the concurrency, not the input), hands the request to
 * the engine, and writes every record itself. Engine threads, Netty's among them, do no more than
 * release the permit and queue the result, so they never wait and never touch output. The driver
 * waits only on that queue: when no permit is free, or the reorder window is full, the next
 * completion is exactly what it needs.
 *
 * <p>State is confined to the driver thread except {@link #completed}, the hand-over queue, and
 * {@link #stopping}.
 */
public final class BulkRun implements AutoCloseable {

    /** A finished request on its way from an engine thread to the driver. */
    private record Done(long ordinal, FetchResult result) {
    }

    private final Engine engine;
    private final Admission admission;
    private final boolean ordered;
    private final BlockingQueue<Done> completed = new LinkedBlockingQueue<>();
    // Set from any thread (a signal handler) to stop admitting; read by the driver.
    private volatile boolean stopping;

    /** A run with its own engine, as {@code config} describes; {@link #close()} frees it. */
    public BulkRun(FetchConfig config) {
        this.engine = Engine.create(config.engine(), config.engineOptions());
        this.admission = new Admission(config.concurrency());
        this.ordered = config.ordered();
    }

    /** Requests in flight now, for a progress display. */
    public int inFlight() {
        return admission.inFlight();
    }

    /** Closes the engine: whatever is still in flight is abandoned. */
    @Override
    public void close() {
        engine.close();
    }

    /** Stops admitting new items; requests in flight still finish and are written. */
    public void stop() {
        stopping = true;
    }

    /**
     * Runs every item of {@code input} and writes one record per item to {@code sink}.
     *
     * @return the summary; items not admitted because of {@link #stop()} have no record
     * @throws IOException when the sink cannot be written; requests in flight are abandoned
     */
    public Summary run(Iterator<InputItem> input, RecordSink sink, Tally tally)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        Writer writer = new Writer(sink, tally,
                ordered ? new ReorderWindow(admission.limit()) : null);
        long pending = 0;
        while (!stopping) {
            pending -= writer.drain(completed);
            if (!writer.hasRoom() || !admission.tryAcquire()) {
                writer.flushIfIdle(completed);
                writer.write(take());
                pending--;
                continue;
            }
            if (!input.hasNext()) {
                admission.release();
                break;
            }
            InputItem item = input.next();
            long ordinal = writer.claim();
            switch (item) {
                case InputItem.Rejected rejected -> {
                    admission.release();
                    writer.write(new Done(ordinal, Results.rejected(rejected)));
                }
                case InputItem.Request request -> {
                    send(request.request(), ordinal);
                    pending++;
                }
            }
        }
        while (pending > 0) {
            writer.flushIfIdle(completed);
            writer.write(take());
            pending--;
        }
        writer.flush();
        return tally.snapshot(System.nanoTime() - start, admission.peakInFlight(), engine.name(),
                admission.limit());
    }

    private Done take() throws InterruptedException {
        return completed.take();
    }

    private void send(FetchRequest request, long ordinal) {
        engine.send(request).whenComplete((outcome, thrown) -> {
            admission.release();
            Outcome o = outcome != null ? outcome : Outcome.failure(FetchError.of(
                    ErrorKind.CANCELLED, String.valueOf(thrown)), 0, 0);
            completed.add(new Done(ordinal, Results.of(request, o, 1, engine.name())));
        });
    }

    /** Writes records in completion order, or through the reorder window in input order. */
    private static final class Writer {
        private final RecordSink sink;
        private final Tally tally;
        private final ReorderWindow window;
        private boolean unflushed;

        Writer(RecordSink sink, Tally tally, ReorderWindow window) {
            this.sink = sink;
            this.tally = tally;
            this.window = window;
        }

        boolean hasRoom() {
            return window == null || window.hasRoom();
        }

        long claim() {
            return window == null ? 0 : window.claim();
        }

        /** Writes every result already queued; returns how many. */
        int drain(BlockingQueue<Done> queue) throws IOException {
            int n = 0;
            Done done;
            while ((done = queue.poll()) != null) {
                write(done);
                n++;
            }
            return n;
        }

        void write(Done done) throws IOException {
            if (window == null) {
                emit(done.result());
            } else {
                try {
                    window.complete(done.ordinal(), done.result(), this::emitUnchecked);
                } catch (java.io.UncheckedIOException e) {
                    throw e.getCause();
                }
            }
        }

        /** Flushes before the driver blocks, so output never waits in a buffer while idle. */
        void flushIfIdle(BlockingQueue<Done> queue) throws IOException {
            if (queue.isEmpty()) {
                flush();
            }
        }

        void flush() throws IOException {
            if (unflushed) {
                sink.flush();
                unflushed = false;
            }
        }

        private void emit(FetchResult result) throws IOException {
            sink.accept(result);
            tally.add(result);
            unflushed = true;
        }

        private void emitUnchecked(FetchResult result) {
            try {
                emit(result);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
