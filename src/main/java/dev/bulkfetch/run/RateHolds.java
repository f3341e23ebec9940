package dev.bulkfetch.run;

import dev.bulkfetch.limit.RateGate;
import dev.bulkfetch.limit.RetryAfter;
import java.time.Instant;

/**
 * What a 429 does to a run's rate gates, and the hold it makes to tell of. The {@link Sender}
 * calls it as the answer comes, on the engine's thread, not when the driver gets to it: a
 * start in between went into the server's ban. Only 429s come here, so nothing of it is on
 * the path of every request.
 *
 * <p>The gates pace; whether a hold is told is {@link ToldHolds}'s rule, the same as without
 * a rate: told as it begins, and again once its end is {@link ToldHolds#SHORTEST} past the
 * end last told (the run's, or the host's under a rate per host). Against the latest end, as
 * the gate kept it, 429s every few seconds each pushed it under 5 s, and the told time passed
 * while the run was still held.
 */
final class RateHolds {

    private final RateGate rate;
    // The per-host gates under a rate per host; null without one.
    private final HostGates hosts;
    // Whether a gate holds starts for a Retry-After: not without a rate, where the driver
    // tells of the items that wait.
    private final boolean holds;
    private final ToldHolds told = new ToldHolds();

    /** For the run's gate and, under a rate per host, the hosts' ({@code hosts}, or null). */
    RateHolds(RateGate rate, HostGates hosts) {
        this.rate = rate;
        this.hosts = hosts;
        this.holds = hosts != null || rate.current() != null;
    }

    /**
     * The server at {@code host} answered 429, at {@code now}, to a request sent at
     * {@code sentNanos} (the gates' clock), asking for {@code wait}: the run's rate and the
     * host's slow down, and every start is held for the wait. Returns the hold to tell of, or
     * null (see {@link Sender.Done}).
     */
    Hold rateLimited(String host, RetryAfter.Wait wait, long sentNanos, Instant now) {
        long retryAfter = wait.granted().toNanos();
        if (hosts == null) {
            rate.onRateLimited(sentNanos, retryAfter);
        } else {
            // Paced per host, the ban is that host's: the run's rate slows, but only the host
            // that asked for the pause waits it out. Its gate is made again if it was swept
            // meanwhile.
            rate.onRateLimited(sentNanos, 0);
            hosts.gate(host).onRateLimited(sentNanos, retryAfter);
        }
        if (!holds) {
            return null;
        }
        return told.tell(new Hold(host, 429,
                hosts == null ? Hold.Scope.RUN : Hold.Scope.HOST,
                wait.granted(), wait.asked(), now.plus(wait.granted())), now);
    }
}
