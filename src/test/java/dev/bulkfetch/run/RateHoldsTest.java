package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.Rate;
import dev.bulkfetch.limit.RateGate;
import dev.bulkfetch.limit.RetryAfter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Under a rate, the holds told of as 429s hold the run's or a host's starts, on a clock the
 * test moves: the gates' nanos and the answers' times together.
 */
class RateHoldsTest {

    private static final Instant T0 = Instant.parse("2026-03-01T13:00:00Z");
    private static final RetryAfter.Wait MINUTE = RetryAfter.of("60", T0);

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private RateGate gate(String rate) {
        return new RateGate(rate == null ? null : Rate.parse(rate), Duration.ofSeconds(5),
                nanos::get);
    }

    private Instant at(long seconds) {
        nanos.set(1_000_000_000L + Duration.ofSeconds(seconds).toNanos());
        return T0.plusSeconds(seconds);
    }

    /**
     * For the note a run prints once per hold, not once per 429: a run idle for an hour said
     * nothing of why. (The gate itself said how much later each 429 made its hold end.)
     */
    @Test
    void aHoldIsToldAsItBeginsAndAgainWhenA429MakesItLongerOrANewOneBegins() {
        RateGate gate = gate("10/s");
        RateHolds holds = new RateHolds(gate, null);
        RetryAfter.Wait five = RetryAfter.of("5", T0);
        assertThat(holds.rateLimited("a.example", five, nanos.get(), at(0)))
                .as("a hold begins").isNotNull();
        assertThat(gate.waitNow()).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(holds.rateLimited("a.example", five, nanos.get(), at(1)))
                .as("the same hold, 1 s on").isNull();
        assertThat(holds.rateLimited("a.example", RetryAfter.of("1", T0), nanos.get(), at(1)))
                .as("a shorter one, within it").isNull();
        Hold longer = holds.rateLimited("a.example", RetryAfter.of("65", T0),
                nanos.get(), at(1));
        assertThat(longer).as("a longer one").isNotNull();
        assertThat(longer.until()).isEqualTo(T0.plusSeconds(66));
        assertThat(holds.rateLimited("a.example", five, nanos.get(), at(67)))
                .as("once it has passed").isNotNull();
        assertThat(holds.rateLimited("a.example", RetryAfter.of(null, T0), nanos.get(),
                at(80))).as("no Retry-After").isNull();
    }

    /**
     * From a review: 429s every 3 s, each asking for a minute, pushed the run's hold 3 s at
     * a time; each push, under 5 s, was never told, and the told time passed while the run was
     * still held. Told again once the end is 5 s past the one told, as without a rate.
     */
    @Test
    void underARateSmallPushesAddingUpToFiveSecondsAreToldAgain() {
        RateHolds holds = new RateHolds(gate("10/s"), null);
        Hold first = holds.rateLimited("a.example", MINUTE, nanos.get(), at(0));
        assertThat(first).isNotNull();
        assertThat(first.scope()).isEqualTo(Hold.Scope.RUN);

        assertThat(holds.rateLimited("b.example", MINUTE, nanos.get(), at(3))).isNull();
        Hold later = holds.rateLimited("a.example", MINUTE, nanos.get(), at(6));

        assertThat(later).as("6 s past the told end, in pushes of 3 s").isNotNull();
        assertThat(later.until()).isEqualTo(T0.plusSeconds(66));
    }

    /** Per host, each host's hold is its own: another host's told end does not hide it. */
    @Test
    void underARatePerHostSmallPushesAreToldAgainPerHost() {
        RateHolds holds = new RateHolds(gate(null), new HostGates(Rate.parse("10/s"),
                nanos::get));
        assertThat(holds.rateLimited("a.example", MINUTE, nanos.get(), at(0))).isNotNull();
        assertThat(holds.rateLimited("a.example", MINUTE, nanos.get(), at(3))).isNull();
        assertThat(holds.rateLimited("b.example", MINUTE, nanos.get(), at(4)))
                .as("another host's first").isNotNull();

        Hold later = holds.rateLimited("a.example", MINUTE, nanos.get(), at(6));

        assertThat(later).as("6 s past a.example's told end").isNotNull();
        assertThat(later.scope()).isEqualTo(Hold.Scope.HOST);
        assertThat(later.until()).isEqualTo(T0.plusSeconds(66));
        assertThat(holds.rateLimited("b.example", RetryAfter.of("30", T0), nanos.get(), at(7)))
                .as("a shorter one within b.example's").isNull();
    }

    /** Without a rate no gate holds anything: the driver tells of the items that wait. */
    @Test
    void withoutARateNoHoldIsToldHere() {
        RateHolds holds = new RateHolds(gate(null), null);
        assertThat(holds.rateLimited("a.example", MINUTE, nanos.get(), at(0))).isNull();
    }
}
