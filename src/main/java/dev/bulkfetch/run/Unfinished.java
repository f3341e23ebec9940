package dev.bulkfetch.run;

import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.FetchResult;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The results a library's close gives the items it ends without a record: each counts the
 * sends it made, as any other failure's result does, where they all read 0 sends, no time and
 * no status, which a backfill takes for "never reached the server" (and so resent a POST the
 * server had acted on).
 *
 * <p>Keeps, by seq, the last answer of each item waiting to go again (backing off, or for the
 * rate): put and removed by the run's driver, read by {@link #of} once the driver has left.
 */
final class Unfinished {

    /** A failed send that goes again: which it was, and what it got, and from where. */
    private record Answered(int number, Integer status, long latencyNanos, long bytes,
                            java.net.URI finalUrl) {
    }

    private final Map<Long, Answered> answered = new ConcurrentHashMap<>();
    private final Sender sender;
    private final Queue<Sender.Done> completed;
    private final String engine;
    // The answers queued, by seq, as of the queue's size then: once the driver has left, the
    // queue only grows, so it is read again only when it has. Scanned for each item a close
    // ends, 100,000 queued requests made the close quadratic. The closing thread's alone.
    private final Map<Long, Sender.Done> queued = new java.util.HashMap<>();
    private int queuedAsOf = -1;

    Unfinished(Sender sender, Queue<Sender.Done> completed, String engine) {
        this.sender = sender;
        this.completed = completed;
        this.engine = engine;
    }

    /** {@code attempt} failed with {@code outcome} and goes again. The driver's. */
    void goesAgain(Attempt attempt, dev.bulkfetch.engine.Outcome outcome) {
        answered.put(attempt.request().seq(), new Answered(attempt.number(), outcome.status(),
                outcome.latencyNanos(), outcome.bytes(),
                outcome.answeredElsewhere(attempt.request().url())));
    }

    /** {@code attempt}'s item has no retry waiting now. The driver's. */
    void done(Attempt attempt) {
        answered.remove(attempt.request().seq());
    }

    /**
     * Item {@code seq}'s result: {@code request}'s, with {@code error}, and the sends made (0
     * for one never sent, which has no engine). One on the wire has its time so far; one
     * waiting to go again keeps its last answer (status, time, bytes, final URL), as an item whose
     * retries are spent does. One whose answer came as the run was abandoned has that answer.
     * From the closing thread alone, once the run's driver has left.
     */
    FetchResult of(long seq, FetchRequest request, FetchError error) {
        OnWire.Sent onWire = sender.onWire(seq);
        if (onWire != null) {
            return Results.cut(request, error, onWire.number(), null, onWire.nanos(), 0, engine,
                    null);
        }
        // The sender lists an attempt as on the wire until its Done is queued.
        if (completed.size() != queuedAsOf) {
            queuedAsOf = completed.size();
            for (Sender.Done done : completed) {
                if (done.sent()) {
                    queued.put(done.attempt().request().seq(), done);
                }
            }
        }
        Sender.Done done = queued.get(seq);
        if (done != null) {
            return Results.of(request, done.outcome(), done.attempt().number(), engine);
        }
        Answered last = answered.get(seq);
        return last == null ? Results.cut(request, error, 0, null, 0, 0, null, null)
                : Results.cut(request, error, last.number(), last.status(),
                        last.latencyNanos(), last.bytes(), engine, last.finalUrl());
    }
}
