package dev.bulkfetch.run;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The end last told of each hold, so that a Retry-After's hold is told once as it begins,
 * however many answers ask for it (a thousand answered {@code Retry-After: 60} in one second
 * make one hold, not a thousand), and again once a later answer carries its end
 * {@link #SHORTEST} or more past the end last told. From the end last told, not the latest:
 * answers that keep coming, each pushing the end a few seconds, never {@link #SHORTEST},
 * carried it past the told time without a word while the run was still held.
 *
 * <p>One rule for every path that makes holds: a rate's gates on a 429 ({@link RateHolds}: the
 * whole run, or a host's starts) and the items a host answered that back off before their
 * retries (the driver: a 503's, and without a rate a 429's). A hold is keyed by what it keeps
 * from going: the run, a host's starts, or the items a host answered with a status, so one
 * never hides another.
 *
 * <p>A hold shorter than {@link #SHORTEST} is neither told nor kept: the mock's
 * {@code Retry-After: 1} costs no map entry, and does not make a longer one that follows it
 * look like the same hold. Ended holds are swept out when the map has doubled since the last
 * sweep, as {@link HostGates} sweeps its idle gates, so it stays in proportion to the hosts
 * held now. Thread-safe; called only for an answer that asks to wait (a 429, a 503), so the lock
 * is never contended and no request pays for it.
 */
final class ToldHolds {

    /**
     * A hold this long or longer is told: a shorter one passes before anyone wonders why the
     * run is idle, and a token bucket's {@code Retry-After: 1} (the mock's) would be told at
     * every burst. A told one is told again once its end is this much past the end told.
     */
    static final Duration SHORTEST = Duration.ofSeconds(5);

    private static final int FIRST_SWEEP = 1024;

    // When each hold last told of ends. Guarded by this, as is sweepAt.
    private final Map<Key, Instant> told = new HashMap<>();
    private int sweepAt = FIRST_SWEEP;

    /**
     * What a hold keeps from going: the run's starts (no host), a host's, or the items a host
     * answered with the status (a 429's and a 503's are told apart, each in its own words).
     */
    private record Key(Hold.Scope scope, String host, int status) {
        static Key of(Hold hold) {
            return new Key(hold.scope(),
                    hold.scope() == Hold.Scope.RUN ? null : hold.host(), hold.status());
        }
    }

    /**
     * {@code hold}, asked for at {@code now}, when it is to be told, and then kept as told;
     * null when it is short or ends less than {@link #SHORTEST} past the end last told.
     */
    synchronized Hold tell(Hold hold, Instant now) {
        if (hold.length().compareTo(SHORTEST) < 0) {
            return null;
        }
        Key key = Key.of(hold);
        Instant end = told.get(key);
        Instant from = end == null || end.isBefore(now) ? now : end;
        if (Duration.between(from, hold.until()).compareTo(SHORTEST) < 0) {
            return null;
        }
        if (end == null && told.size() >= sweepAt) {
            told.values().removeIf(until -> until.isBefore(now));
            sweepAt = Math.max(FIRST_SWEEP, 2 * told.size());
        }
        told.put(key, hold.until());
        return hold;
    }

    /** Holds in force now, or ended since the last sweep (for tests). */
    synchronized int size() {
        return told.size();
    }
}
