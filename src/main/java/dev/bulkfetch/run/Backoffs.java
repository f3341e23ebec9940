package dev.bulkfetch.run;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.RetryPolicy;
import dev.bulkfetch.engine.Outcome;
import dev.bulkfetch.limit.RetryAfter;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The driver's retries: whether an answer calls for another attempt, when that attempt goes
 * (the policy's backoff, or longer when the server asked), and which waits to tell of; and the
 * retries backing off meanwhile. The driver's thread alone uses it.
 */
final class Backoffs {

    private final RetryPolicy policy;
    private final Sender sender;
    // Without a rate, a 429 holds only the items it answered, as a 503 does; under one the
    // rate's gates hold the starts, and the sender tells of those holds.
    private final boolean tellsAnswered429;
    private final Clock clock = Clock.systemUTC();
    // The waits of items answered 503, and without a rate 429, told of.
    private final ToldHolds answeredHolds = new ToldHolds();
    // They hold no permit, so one the sender hands back (its backoff over, or taken back by a
    // stop or a cancel) frees none.
    private final Set<Attempt> backingOff = new HashSet<>();

    Backoffs(RetryPolicy policy, Sender sender, boolean tellsAnswered429) {
        this.policy = policy;
        this.sender = sender;
        this.tellsAnswered429 = tellsAnswered429;
    }

    /** Whether {@code outcome} of {@code attempt} calls for another attempt. */
    boolean retries(Attempt attempt, Outcome outcome) {
        ErrorKind kind = outcome.error() == null ? null : outcome.error().kind();
        return attempt.number() <= policy.maxRetries() && !outcome.permanent()
                && policy.retries(attempt.request(), outcome.redirected(), outcome.unsent(),
                        outcome.status(), kind);
    }

    /**
     * Hands {@code attempt}'s next to the sender, to go once its backoff is over; the hold its
     * answer begins, to tell of, or null. Once per host and hold, not per item: a thousand
     * answered in a second make one.
     */
    Hold backOff(Attempt attempt, Outcome outcome) {
        Instant now = clock.instant();
        RetryAfter.Wait wait = RetryAfter.of(outcome.retryAfter(), now);
        long delay = policy.delayNanos(attempt.number(), wait.granted().toNanos(),
                ThreadLocalRandom.current()::nextDouble);
        Integer status = outcome.status();
        Hold hold = null;
        if (status != null && (status == 503 || status == 429 && tellsAnswered429)) {
            hold = answeredHolds.tell(new Hold(attempt.host(), status, Hold.Scope.ANSWERED,
                    wait.granted(), wait.asked(), now.plus(wait.granted())), now);
        }
        Attempt again = attempt.next();
        backingOff.add(again);
        sender.backOff(again, delay);
        return hold;
    }

    /** Whether {@code attempt} was backing off: the sender has handed it back. */
    boolean cameBack(Attempt attempt) {
        return backingOff.remove(attempt);
    }

    /** Retries backing off now. */
    int size() {
        return backingOff.size();
    }
}
