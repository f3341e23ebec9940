package dev.bulkfetch.run;

import dev.bulkfetch.limit.RateGate;
import dev.bulkfetch.limit.RetryAfter;
import java.time.Instant;

/**
 * What a 429 does to a run's rate gates, and the hold it makes to tell of. The {@link Sender}
 * calls it as the answer comes, on the engine's thread, not when the driver gets to it: a
 * start in between went into the server's ban. Only 429s come here, so nothing of it is on
 * the path of every request.
 */
final class RateHolds {

    private final RateGate rate;
    // The per-host gates under a rate per host; null without one.
    private final HostGates hosts;

    RateHolds(RateGate rate, HostGates hosts) {
        this.rate = rate;
        this.hosts = hosts;
    }

    /**
     * The server at {@code host} answered 429, at {@code now}, to a request sent at
     * {@code sentNanos} (the gates' clock), asking for {@code wait}: the run's rate and the
     * host's slow down, and every start is held for the wait. Returns the hold to tell of, or
     * null (see {@link Sender.Done}).
     */
    BulkRun.Hold rateLimited(String host, RetryAfter.Wait wait, long sentNanos, Instant now) {
        long retryAfter = wait.granted().toNanos();
        long later;
        if (hosts == null) {
            later = rate.onRateLimited(sentNanos, retryAfter);
        } else {
            // Paced per host, the ban is that host's: the run's rate slows, but only the host
            // that asked for the pause waits it out. Its gate is made again if it was swept
            // meanwhile.
            rate.onRateLimited(sentNanos, 0);
            later = hosts.gate(host).onRateLimited(sentNanos, retryAfter);
        }
        return later < Sender.TOLD_HOLD.toNanos() ? null : new BulkRun.Hold(host,
                hosts == null ? BulkRun.Hold.Scope.RUN : BulkRun.Hold.Scope.HOST,
                wait.granted(), wait.asked(), now.plus(wait.granted()));
    }
}
