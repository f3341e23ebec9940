package dev.bulkfetch.run;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.engine.Engine;
import dev.bulkfetch.engine.EngineOptions;
import dev.bulkfetch.engine.Outcome;
import dev.bulkfetch.input.InputItem;
import dev.bulkfetch.limit.Admission;
import dev.bulkfetch.limit.Dispatcher;
import dev.bulkfetch.limit.RateGate;
import dev.bulkfetch.output.BodiesClaim;
import dev.bulkfetch.output.BodyStore;
import dev.bulkfetch.output.RecordSink;
import dev.bulkfetch.output.Summary;
import dev.bulkfetch.output.Tally;
import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Drives one bulk run: input -> limits -> engine -> output, on the calling thread.
 *
 * <p>The caller's thread is the driver, and the only thread that decides anything. It reads the
 * next input item only while a global permit is free (backpressure: memory follows the
 * concurrency, not the input), lets the {@link Dispatcher} start what fits the global and
 * per-host caps, hands each start to the {@link Sender} (which honours the rate), and writes
 * every record itself. Engine threads, Netty's among them, only queue what finished, so they
 * never wait on the driver and never write a record (a saved body's bytes are the one output
 * they write, to a part file as they arrive: see BodyStore for why). The driver waits only on
 * that queue: whenever nothing can start, the next completion is exactly what it needs, or
 * under a rate per host the sender's word that a host's waiting item has gone and the host may
 * take another.
 *
 * <p>A retry gives its permits back while it backs off (the caps bound requests in flight, and
 * one waiting out an hour's {@code Retry-After} is not) and takes them again, ahead of items
 * not yet started, before it is sent; only the final attempt makes a record. State is
 * confined to the driver thread but the hand-over queue and the volatile flags below.
 */
public final class BulkRun implements AutoCloseable {

    private final Engine engine;
    private final EngineKind kind;
    private final Admission admission;
    private final Dispatcher<Attempt> dispatcher;
    private final boolean ordered;
    private final BlockingQueue<Sender.Done> completed = new LinkedBlockingQueue<>();
    private final Sender sender;
    private final BodyStore bodies;
    // Set from any thread (a signal handler) to stop admitting; read by the driver.
    private volatile boolean stopping;
    // Set from any thread to stop waiting for what is in flight; read by the driver.
    private volatile boolean abandoned;
    // When run() began, for its summary; set by the driver, read after the run.
    private volatile long started;
    // Set by stop() alone (Ctrl-C, SIGTERM, SIGHUP), not by abandon() (a library's close): an
    // answer that would be retried then gets no record, for --resume to try again.
    private volatile boolean stopRequested;
    // Told of each hold by the driver; set before run() (onHold).
    private volatile Consumer<Hold> holds = hold -> { };
    // Given the engine by close() when nothing is on the wire (leaveEngineTo); null: closed.
    private volatile Consumer<AutoCloseable> engineLeftTo;
    // Whether an answer goes again, and when; the retries backing off meanwhile.
    private final Backoffs backoffs;
    // The results a library's close gives the items it ends: their sends, their last answers.
    private final Unfinished unfinished;
    // Retries held, backing off or due and queued for a place, keep their requests: at this
    // many the driver reads no input until one is sent or ends, so memory follows the caps,
    // not a list answered 503 for an hour: what the per-host queue reads ahead.
    private final int maxBackingOff;

    /**
     * A run with its own engine, as {@code config} describes; {@link #close()} frees it, or
     * leaves it to the process's exit ({@link #leaveEngineTo}).
     */
    public BulkRun(FetchConfig config) {
        this(config, null, false);
    }

    /**
     * A run that also saves each body to {@code saveBodies} (null for none) and, with
     * {@code includeBody}, puts each text body into its record: the CLI's output options,
     * which take the bodies over, so {@code config} must leave its body handler unset.
     *
     * @throws java.io.UncheckedIOException when the folder for saved bodies cannot be made
     */
    public BulkRun(FetchConfig config, java.nio.file.Path saveBodies, boolean includeBody) {
        this(config, saveBodies, null, includeBody);
    }

    /**
     * As above, the run's {@code claim} on the folder (null for none) given up as its bodies
     * are closed, by {@link #close()} or {@link #deleteUnsavedBodies()}.
     */
    public BulkRun(FetchConfig config, java.nio.file.Path saveBodies, BodiesClaim claim,
                   boolean includeBody) {
        this(config, saveBodies, claim, includeBody,
                Math.max(config.concurrency(), Dispatcher.LOOKAHEAD));
    }

    /** As above, with at most {@code maxBackingOff} retries held at once: for tests. */
    BulkRun(FetchConfig config, java.nio.file.Path saveBodies, boolean includeBody,
            int maxBackingOff) {
        this(config, saveBodies, null, includeBody, maxBackingOff);
    }

    private BulkRun(FetchConfig config, java.nio.file.Path saveBodies, BodiesClaim claim,
                    boolean includeBody, int maxBackingOff) {
        boolean keepsBodies = saveBodies != null || includeBody;
        if (keepsBodies && config.bodyHandler() != null) {
            throw new IllegalArgumentException("saved or included bodies cannot be combined "
                    + "with a body handler");
        }
        try {
            this.bodies = keepsBodies ? new BodyStore(saveBodies, includeBody, claim) : null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot save bodies to "
                    + saveBodies + ": " + e.getMessage(), e);
        }
        this.admission = new Admission(config.concurrency());
        this.ordered = config.ordered();
        EngineOptions options = bodies == null ? EngineOptions.of(config)
                : EngineOptions.of(config).withBodyHandler(bodies.handler());
        this.sender = new Sender(redirects -> Engine.create(config.engine(),
                options, redirects), RateGate.of(config.rate()),
                config.ratePerHost(), completed);
        this.engine = sender.engine();
        this.kind = config.engine();
        this.dispatcher = new Dispatcher<>(admission, config.perHost(), Attempt::host,
                config.ratePerHost() == null ? null : sender::waitsForStart);
        this.backoffs = new Backoffs(config.retries(), sender,
                config.rate() == null && config.ratePerHost() == null);
        this.unfinished = new Unfinished(sender, completed, engine.name());
        this.maxBackingOff = maxBackingOff;
    }

    /**
     * Stops admitting new items and sending: attempts on the wire still finish and are
     * written, unless their answer would have been retried (a 503, a 429, a reset with retries
     * left); those, and those not yet sent (waiting for the rate or a backoff), get no record,
     * as items never admitted, and {@code --resume} fetches them. Results held for input order
     * are written at the end, past the items still waiting.
     */
    public void stop() {
        stopRequested = true;
        stopping = true;
        sender.stop();
        // The driver may be waiting with nothing on the wire (a rate's next start is far off,
        // a pipe is quiet): it must see the stop now, not when the grace runs out.
        completed.add(Sender.Done.WAKE_UP);
    }

    /**
     * Stops at once: nothing more is admitted and attempts still in flight are left without a
     * record ({@code --resume} fetches them again). {@link #run} returns promptly.
     */
    public void abandon() {
        stopping = true;
        abandoned = true;
        // Nothing leaves once the driver has: one the timer sent for the rate after a library's
        // close took its sends was cut as never sent (found in review).
        sender.stopSending();
        completed.add(Sender.Done.WAKE_UP);
    }

    /**
     * Deletes the part files of saved bodies no record has taken, at once and from any thread:
     * for a process that ends without {@link #close()} (a second Ctrl-C, a SIGTERM).
     */
    public void deleteUnsavedBodies() {
        if (bodies != null) {
            bodies.close();
        }
    }

    /**
     * Ends item {@code seq}'s attempt on the wire, if there is one, for a source that
     * withdraws it ({@link Source#withdrawals()}): it frees its place under the caps, and its
     * record reads {@code cancelled}. From any thread.
     */
    public void cancel(long seq) {
        sender.cancel(seq);
    }

    /**
     * Tells {@code listener}, on the thread that calls {@link #run}, of each hold of five
     * seconds or more as it begins, once per hold (not per item answered 429 in it), and again
     * once later answers have carried its end that much past the end told (at once or a few
     * seconds at a time): an hour's hold is otherwise an idle run that says nothing of why.
     * A 503's hold, and without a rate a 429's, is told as the first of a host's items
     * answered so backs off for it; one that will not be retried waits for nothing. Before
     * {@link #run}.
     */
    public void onHold(Consumer<Hold> listener) {
        this.holds = java.util.Objects.requireNonNull(listener, "listener");
    }

    /**
     * Item {@code seq}'s result as a library's close ends it, abandoned without a record, with
     * its sends ({@link Unfinished#of}): after {@link #run}, before {@link #close()} ends what
     * is on the wire; only while the source withdraws requests, as only then the sender lists
     * what is on the wire.
     */
    public FetchResult unfinished(long seq, FetchRequest request, FetchError error) {
        return unfinished.of(seq, request, error);
    }

    /** Wakes a driver waiting for work: a live source has a new item, or has ended. */
    public void wakeUp() {
        completed.add(Sender.Done.WAKE_UP);
    }

    /** Requests on the wire now (not those holding a permit while they wait for the rate). */
    public int inFlight() {
        return sender.onWire();
    }

    /**
     * Runs every item of {@code input} and writes one record per item to {@code sink}.
     *
     * @return the summary; items not admitted because of {@link #stop()} have no record
     * @throws IOException when the sink cannot be written; requests in flight are abandoned
     */
    public Summary run(Iterator<InputItem> input, RecordSink sink, Tally tally)
            throws IOException, InterruptedException {
        return run(Source.of(input), sink, tally);
    }

    /**
     * Runs items from {@code source} until it is exhausted (or the run is stopped) and every
     * admitted item has its record. A live source wakes the driver with {@link #wakeUp()}.
     */
    public Summary run(Source source, RecordSink sink, Tally tally)
            throws IOException, InterruptedException {
        started = System.nanoTime();
        sender.withdrawing(source.withdrawals());
        RecordWriter writer = new RecordWriter(sink, tally, bodies,
                ordered ? new ReorderWindow(admission.limit()) : null);
        Driver driver = new Driver(writer, tally);
        while (!abandoned) {
            Sender.Done done;
            while ((done = completed.poll()) != null) {
                driver.handle(done);
            }
            dispatcher.promote(driver::start);
            if (!stopping && writer.hasRoom() && dispatcher.canAccept()
                    && backoffs.size() + dispatcher.retryCount() < maxBackingOff) {
                InputItem item = source.poll();
                if (item != null) {
                    driver.accept(item);
                    continue;
                }
            }
            if (driver.pending == 0 && (stopping
                    || (dispatcher.readyCount() == 0 && source.exhausted()))) {
                break;
            }
            writer.flushIfIdle(completed);
            driver.handle(completed.take());
        }
        // Stopped: results held for input order behind one still in flight are written
        // (dropped, they were fetched again by --resume, a POST created twice).
        writer.drain();
        writer.flush();
        return summary(tally);
    }

    /**
     * The summary of the run as of now: after {@link #run} threw because its sink failed, of
     * the records written before.
     */
    public Summary summary(Tally tally) {
        return tally.snapshot(System.nanoTime() - started, sender.peakOnWire(), engine.name(),
                admission.limit(), sender.rate().current());
    }

    /**
     * Has {@link #close()} hand the engine to {@code exit} rather than close it, when nothing
     * is on the wire by then: for a process that ends after the run, whose exit frees the
     * engine's connections and threads at once, where closing them one by one took about
     * 0.1 s at {@code -c 500} (README, Performance). Whatever is in flight at the close (a
     * stopped or abandoned run) is still ended by closing the engine: an answer must not go
     * on saving a body after it. Left to the exit, kept-alive TLS connections end without
     * their close_notify, as a killed client's do.
     */
    public void leaveEngineTo(Consumer<AutoCloseable> exit) {
        engineLeftTo = exit;
    }

    /**
     * Closes the engine, or hands it to {@link #leaveEngineTo}'s {@code exit} when nothing is
     * on the wire; whatever is still in flight is abandoned.
     */
    @Override
    public void close() {
        try {
            sender.close();  // after it, nothing more is sent
            Consumer<AutoCloseable> exit = engineLeftTo;
            if (exit != null && sender.onWire() == 0) {
                exit.accept(engine);
            } else {
                engine.close();
            }
        } finally {
            if (bodies != null) {
                bodies.close();
            }
        }
    }

    /** The driver's per-run state: what is pending, and what happens to each completion. */
    private final class Driver {
        private final RecordWriter writer;
        private final Tally tally;
        // Attempts handed to the sender and not yet handled: in flight, waiting or backing off.
        private long pending;

        Driver(RecordWriter writer, Tally tally) {
            this.writer = writer;
            this.tally = tally;
        }

        void accept(InputItem item) throws IOException {
            long ordinal = writer.claim();
            // Not a pattern switch on the sealed type (a Request or a Rejected): its first run
            // makes a class, 4 ms of each start that the start-up cache does not hold.
            if (!(item instanceof InputItem.Request(FetchRequest request))) {
                writer.write(ordinal, Results.rejected((InputItem.Rejected) item));
                return;
            }
            // What the engine cannot send (a PATCH on the JDK's client) takes no place under
            // the caps and no start of the rate: a library's request comes here unchecked (the
            // CLI refuses it as its line, as it reads it).
            String refusal = kind.refusal(request);
            if (refusal != null) {
                writer.write(ordinal, Results.of(request, Outcome.failure(
                        FetchError.of(ErrorKind.INPUT, refusal), 0, 0), 0, engine.name()));
                return;
            }
            dispatcher.enqueue(new Attempt(request, ordinal, 1));
            dispatcher.promote(this::start);
        }

        void start(Attempt attempt) {
            pending++;
            sender.send(attempt);
        }

        void handle(Sender.Done done) throws IOException {
            if (done == Sender.Done.WAKE_UP) {
                return;
            }
            pending--;
            Attempt attempt = done.attempt();
            if (backoffs.cameBack(attempt)) {
                if (done.due()) {
                    dispatcher.retry(attempt);  // started by the loop's next promote
                } else {
                    // Taken back in its backoff by stop() or a cancel: no record, as below.
                    unfinished.done(attempt);
                    writer.skip(attempt.ordinal());
                }
                return;
            }
            if (done.due()) {  // its places were freed as it began to back off: not twice
                throw new IllegalStateException("a retry not backing off came back due");
            }
            unfinished.done(attempt);
            if (!done.sent()) {
                // Taken back by stop() before it was sent: no record, so --resume fetches it.
                dispatcher.finished(attempt);
                writer.skip(attempt.ordinal());
                return;
            }
            if (attempt.number() > 1) {
                // Counted as it went, not as it was scheduled: one that Ctrl-C took back
                // from its backoff was never sent.
                tally.noteRetry();
            }
            Outcome outcome = done.outcome();
            Integer status = outcome.status();
            if (status != null && status == 429) {
                // The sender has slowed the rate already, as the answer came.
                tally.noteRateLimited();
            } else if (status != null && status == 503 && outcome.retryAfter() != null
                    && !outcome.retryAfter().isBlank()) {
                // A pause the server asked for, as with a 429; a bare 503 is an error alone.
                tally.noteUnavailableWithRetryAfter();
            }
            if (done.hold() != null) {
                holds.accept(done.hold());
            }
            boolean retry = backoffs.retries(attempt, outcome);
            if (retry && stopRequested) {
                // Stopped before its retry, as one waiting out its backoff at the stop is: no
                // record, so --resume fetches it. A record made it a final failure (a 429 or a
                // 503 that came in the grace), which no later run would try again.
                if (bodies != null) {
                    bodies.discard(outcome.body());
                }
                dispatcher.finished(attempt);
                writer.skip(attempt.ordinal());
                return;
            }
            // Abandoned (a library's close): no new attempt, and the answer is its record.
            if (retry && !stopping) {
                if (bodies != null) {
                    bodies.discard(outcome.body());
                }
                unfinished.goesAgain(attempt, outcome);
                // Not in flight while it waits: its places go to the next items meanwhile.
                dispatcher.finished(attempt);
                pending++;
                Hold hold = backoffs.backOff(attempt, outcome);
                if (hold != null) {
                    holds.accept(hold);
                }
                return;
            }
            dispatcher.finished(attempt);
            if (outcome.tls()) {
                tally.noteTlsFailure(outcome.certificateRefused());  // see Outcome.tls
            }
            FetchResult result = Results.of(attempt.request(), outcome, attempt.number(),
                    engine.name());
            writer.write(attempt.ordinal(), result);
        }
    }
}
