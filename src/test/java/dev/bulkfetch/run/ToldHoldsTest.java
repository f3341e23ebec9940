package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.limit.RetryAfter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Without a rate, the holds told of as a host's items answered 429 back off for its
 * Retry-After, on a clock the test moves (the answers' times). Under a rate, the same rule
 * through the gates: RateHoldsTest.
 */
class ToldHoldsTest {

    private static final Instant T0 = Instant.parse("2026-03-01T13:00:00Z");
    private static final RetryAfter.Wait MINUTE = RetryAfter.of("60", T0);

    /** As the driver asks, as an item of {@code host} answered 429 at {@code now} backs off. */
    private static Hold backsOff(ToldHolds holds, String host, RetryAfter.Wait wait,
                                         Instant now) {
        return holds.tell(new Hold(host, 429, Hold.Scope.ANSWERED,
                wait.granted(), wait.asked(), now.plus(wait.granted())), now);
    }

    /**
     * From a review: a run without a rate sat silent for up to an hour while its items waited
     * out a Retry-After. Told once per host, not per item: a thousand answered in a second.
     */
    @Test
    void aThousandItemsAnsweredInOneSecondMakeOneHoldPerHost() {
        ToldHolds holds = new ToldHolds();
        List<Hold> told = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Instant at = T0.plusMillis(i);
            told.add(backsOff(holds, "a.example", MINUTE, at));
            told.add(backsOff(holds, "b.example", MINUTE, at));
        }

        assertThat(told.stream().filter(Objects::nonNull).toList()).containsExactly(
                new Hold("a.example", 429, Hold.Scope.ANSWERED,
                        Duration.ofMinutes(1), Duration.ofMinutes(1), T0.plusSeconds(60)),
                new Hold("b.example", 429, Hold.Scope.ANSWERED,
                        Duration.ofMinutes(1), Duration.ofMinutes(1), T0.plusSeconds(60)));
    }

    /** As a rate's gate: told again when a later 429 pushes the end 5 s or more further. */
    @Test
    void aLater429PushingTheEndFiveSecondsOrMoreFurtherIsToldAgain() {
        ToldHolds holds = new ToldHolds();
        assertThat(backsOff(holds, "a.example", MINUTE, T0)).isNotNull();

        assertThat(backsOff(holds, "a.example", MINUTE, T0.plusSeconds(4)))
                .as("4 s further").isNull();
        Hold further = backsOff(holds, "a.example", MINUTE, T0.plusSeconds(9));
        assertThat(further).as("5 s past the end of the last 429's").isNotNull();
        assertThat(further.until()).isEqualTo(T0.plusSeconds(69));
        assertThat(backsOff(holds, "a.example", RetryAfter.of("30", T0), T0.plusSeconds(10)))
                .as("a shorter one within it").isNull();
        assertThat(backsOff(holds, "a.example", MINUTE, T0.plusSeconds(70)))
                .as("after it ended, a new hold").isNotNull();
    }

    /**
     * Pushed a little at a time, as a host's other items keep being answered 429: told again
     * once the end is 5 s past the one told, where each push alone, under 5 s, was never told
     * and the told time passed while the items still waited.
     */
    @Test
    void smallPushesAddingUpToFiveSecondsAreToldAgain() {
        ToldHolds holds = new ToldHolds();
        assertThat(backsOff(holds, "a.example", MINUTE, T0)).isNotNull();
        assertThat(backsOff(holds, "a.example", MINUTE, T0.plusSeconds(3))).isNull();
        Hold later = backsOff(holds, "a.example", MINUTE, T0.plusSeconds(6));
        assertThat(later).as("6 s past the told end, in pushes of 3 s").isNotNull();
        assertThat(later.until()).isEqualTo(T0.plusSeconds(66));
    }

    /**
     * A host's items answered 503 and those answered 429 wait apart, each told in its own
     * words: a 429's hold told does not hide a 503's, nor the other way round.
     */
    @Test
    void aHostsItemsAnswered503AreToldApartFromThoseAnswered429() {
        ToldHolds holds = new ToldHolds();
        assertThat(backsOff(holds, "a.example", MINUTE, T0)).isNotNull();

        Hold busy = holds.tell(new Hold("a.example", 503,
                Hold.Scope.ANSWERED, MINUTE.granted(), MINUTE.asked(),
                T0.plusSeconds(61)), T0.plusSeconds(1));

        assertThat(busy).as("a 503 a second later").isNotNull();
        assertThat(backsOff(holds, "a.example", MINUTE, T0.plusSeconds(2)))
                .as("the 429s' hold, 2 s further").isNull();
    }

    /** The mock's Retry-After: 1 passes before anyone wonders: neither told nor kept. */
    @Test
    void aWaitUnderFiveSecondsIsNotToldNorKept() {
        ToldHolds holds = new ToldHolds();
        assertThat(backsOff(holds, "a.example", RetryAfter.of("4", T0), T0)).isNull();
        assertThat(holds.size()).isZero();
        assertThat(backsOff(holds, "a.example", RetryAfter.of("6", T0), T0))
                .as("a longer one after it").isNotNull();
    }

    /** A run over a million hosts keeps only those held now. */
    @Test
    void endedHoldsAreSweptAsNewHostsAreHeld() {
        ToldHolds holds = new ToldHolds();
        for (int i = 0; i < 1024; i++) {
            backsOff(holds, "h" + i, RetryAfter.of("5", T0), T0);
        }
        assertThat(holds.size()).isEqualTo(1024);

        backsOff(holds, "late", MINUTE, T0.plusSeconds(6));

        assertThat(holds.size()).isEqualTo(1);
    }
}
