package dev.bulkfetch.run;

import dev.bulkfetch.limit.RetryAfter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The holds to tell of in a run without a rate. There no gate holds anything: an item answered
 * 429 backs off for the {@code Retry-After} before its retry, and the run goes on with the
 * others, so nothing else knew that a host's items wait, for up to an hour. This keeps, per
 * host, when the latest such wait ends, and gives a {@link BulkRun.Hold} to tell as one begins
 * or a later 429 pushes that end {@link Sender#TOLD_HOLD} or more further, as a rate's gate
 * does: once however many of the host's items are answered within it (a thousand answered
 * {@code Retry-After: 60} in one second make one hold, not a thousand).
 *
 * <p>A wait shorter than {@link Sender#TOLD_HOLD} is neither told nor kept: the mock's
 * {@code Retry-After: 1} costs no map entry, and does not make a longer one that follows it
 * look like the same hold. Ended holds are swept out when the map has doubled since the last
 * sweep, as {@link HostGates} sweeps its idle gates, so it stays in proportion to the hosts
 * held now. Thread-safe; the driver calls it, only for a 429, so the lock is never contended.
 */
final class AnsweredHolds {

    private static final int FIRST_SWEEP = 1024;

    // When each host's last told-of wait ends. Guarded by this, as is sweepAt.
    private final Map<String, Instant> endsByHost = new HashMap<>();
    private int sweepAt = FIRST_SWEEP;

    /**
     * An item of {@code host}, answered 429 at {@code now}, waits {@code wait} before its
     * retry: the hold to tell of, or null when it is short or about the same as the one told.
     */
    synchronized BulkRun.Hold backsOff(String host, RetryAfter.Wait wait, Instant now) {
        if (wait.granted().compareTo(Sender.TOLD_HOLD) < 0) {
            return null;
        }
        Instant until = now.plus(wait.granted());
        Instant told = endsByHost.get(host);
        // From the end last told, not the latest: the host's other items keep being answered
        // 429, each pushing the end a little, and pushes of under TOLD_HOLD each carried it
        // past the told time without a word.
        Instant from = told == null || told.isBefore(now) ? now : told;
        if (Duration.between(from, until).compareTo(Sender.TOLD_HOLD) < 0) {
            return null;
        }
        if (told == null && endsByHost.size() >= sweepAt) {
            endsByHost.values().removeIf(end -> end.isBefore(now));
            sweepAt = Math.max(FIRST_SWEEP, 2 * endsByHost.size());
        }
        endsByHost.put(host, until);
        return new BulkRun.Hold(host, BulkRun.Hold.Scope.ANSWERED, wait.granted(), wait.asked(),
                until);
    }

    /** Hosts held now, or whose hold ended since the last sweep (for tests). */
    synchronized int size() {
        return endsByHost.size();
    }
}
