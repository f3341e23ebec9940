package dev.bulkfetch.run;

import dev.bulkfetch.engine.Outcome;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The sender's requests on the wire by seq, kept only while the run's source withdraws
 * requests (a library's): a caller's cancel finds the one to end here, and a library's
 * close the sends each made. Listed by the sending thread, unlisted by whichever thread
 * completes one once its Done is queued, read from callers' threads.
 */
final class OnWire {

    /** An attempt on the wire as {@link #sent} sees it: which send, and how long so far. */
    record Sent(int number, long nanos) {
    }

    /** An attempt on the wire: since when, by the gates' clock, and what it completes. */
    record Listed(long seq, Attempt attempt, long sentNanos, CompletableFuture<Outcome> future) {
    }

    private final Map<Long, Listed> bySeq = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    OnWire(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Lists {@code attempt}, sent at {@code sentNanos} as {@code future}. */
    Listed list(Attempt attempt, long sentNanos, CompletableFuture<Outcome> future) {
        Listed listed = new Listed(attempt.request().seq(), attempt, sentNanos, future);
        bySeq.put(listed.seq(), listed);
        return listed;
    }

    /** Takes {@code listed} off, if it is still the one listed for its seq; null is none. */
    void unlist(Listed listed) {
        if (listed != null) {
            bySeq.remove(listed.seq(), listed);
        }
    }

    /** Ends request {@code seq}'s attempt, if one is listed: it comes back cancelled. */
    void cancel(long seq) {
        Listed listed = bySeq.get(seq);
        if (listed != null) {
            listed.future().cancel(false);
        }
    }

    /** Request {@code seq}'s attempt listed, or null. */
    Sent sent(long seq) {
        Listed listed = bySeq.get(seq);
        return listed == null ? null : new Sent(listed.attempt().number(),
                nanoTime.getAsLong() - listed.sentNanos());
    }
}
