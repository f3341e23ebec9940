package dev.bulkfetch.limit;

import dev.bulkfetch.Rate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The rate gate's arithmetic, on a fake clock. */
class RateGateTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void ratesAreParsedPerSecondMinuteAndHour() {
        assertThat(Rate.parse("100/s").perSecond()).isEqualTo(100);
        assertThat(Rate.parse("600/min").perSecond()).isEqualTo(10);
        assertThat(Rate.parse("7200/h").perSecond()).isEqualTo(2);
        assertThat(Rate.parse("100/s").spacingNanos()).isEqualTo(10_000_000L);
        assertThatThrownBy(() -> Rate.parse("abc")).hasMessageContaining("100/s");
        assertThatThrownBy(() -> Rate.parse("0/s")).hasMessageContaining("more than zero");
    }

    /** After review: a slow rate read 0.0/s, and a period of centuries overflowed its uses. */
    @Test
    void aSlowRateIsWrittenPerMinuteOrHourAndAPeriodOfCenturiesIsRefused() {
        assertThat(Rate.parse("12.5/s")).hasToString("12.5/s");
        assertThat(Rate.parse("0.05/s")).hasToString("3.0/min");
        assertThat(Rate.parse("10/min")).hasToString("10.0/min");
        assertThat(Rate.parse("10/h")).hasToString("10.0/h");
        assertThat(Rate.parse("2/min")).hasToString("2.0/min");
        assertThat(Rate.parse("0.00001/s")).hasToString("0.0360/h");
        assertThat(new Rate(1, Duration.ofDays(36_525)).perSecond()).isPositive();
        assertThatThrownBy(() -> new Rate(1, Duration.ofDays(365 * 1000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 100 years");
    }

    /** The first request, counted as it left, reaches the server late: it counts from then. */
    @Test
    void startsSoFarCanBeCountedAsMadeNow() {
        RateGate gate = new RateGate(Rate.parse("1/s"), Duration.ofSeconds(5), now::get);
        assertThat(gate.waitNow()).isZero();
        gate.recordSend();
        now.addAndGet(Duration.ofMillis(300).toNanos());

        gate.countStartsSoFarAsNow();

        now.addAndGet(Duration.ofMillis(800).toNanos());
        // From the send, 1.1 s have passed: past the 1.05 s window. From 300 ms on, 0.8 s.
        assertThat(gate.waitNow()).isEqualTo(Duration.ofMillis(250).toNanos());
        now.addAndGet(Duration.ofMillis(250).toNanos());
        assertThat(gate.waitNow()).isZero();
    }

    /**
     * From review: a rate was never lowered below one request a minute, so a 429 at 1/h made
     * it 1/min, sixty times what the user allowed, just as the server said "too many".
     */
    @Test
    void a429HalvesASlowRateToo() {
        RateGate gate = new RateGate(Rate.parse("1/h"), Duration.ofSeconds(5), now::get);
        gate.onRateLimited();
        assertThat(gate.current().perSecond() * 3600).isCloseTo(0.5, within(1e-9));
        assertThat(new Rate(1, Duration.ofDays(36_525)).times(0.5))
                .as("never below the slowest rate").isEqualTo(new Rate(1, Duration.ofDays(36_525)));
    }

    @Test
    void a429HalvesTheRateOncePerBurstAndCalmRaisesItStepByStepToUnderTheLast429() {
        RateGate gate = new RateGate(Rate.parse("100/s"), Duration.ofSeconds(5), now::get);
        gate.onRateLimited();
        assertThat(gate.current().perSecond()).isEqualTo(50);
        now.addAndGet(Duration.ofMillis(5).toNanos());
        gate.onRateLimited();
        assertThat(gate.current().perSecond()).as("same burst").isEqualTo(50);
        now.addAndGet(Duration.ofMillis(200).toNanos());
        gate.onRateLimited();
        assertThat(gate.current().perSecond()).isEqualTo(25);
        assertThat(gate.slowdowns()).isEqualTo(2);

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        gate.reserve();
        assertThat(gate.current().perSecond()).isEqualTo(35);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        gate.reserve();
        assertThat(gate.current().perSecond()).as("one step per 5 s").isEqualTo(35);
        for (int i = 0; i < 20; i++) {
            now.addAndGet(Duration.ofSeconds(5).toNanos());
            gate.reserve();
        }
        assertThat(gate.current().perSecond()).as("never above 90% of the 50/s the last 429"
                + " came at").isEqualTo(45);
    }

    /**
     * After review: the rate climbed back a tenth per reservation, not per 5 s without a 429:
     * at 3/min, a start every 20 s or more, 63 quiet seconds after a 429 left it at a third,
     * and the summary's rate at the end said so. It is back now, as far as the 429 lets it:
     * 90% of the rate it came at.
     */
    @Test
    void theRecoveryCountsTheStepsThatPassedNotTheStartsMade() {
        RateGate gate = new RateGate(Rate.parse("3/min"), Duration.ofSeconds(5), now::get);
        gate.onRateLimited();
        assertThat(gate.current().perSecond()).isEqualTo(1.5 / 60);
        now.addAndGet(Duration.ofSeconds(12).toNanos());
        assertThat(gate.current().perSecond()).as("two steps: two tenths back")
                .isCloseTo(2.1 / 60, org.assertj.core.data.Offset.offset(1e-9));
        now.addAndGet(Duration.ofSeconds(51).toNanos());
        assertThat(gate.current().perSecond())
                .isCloseTo(2.7 / 60, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void a429ToARequestSentBeforeTheLastSlowdownChangesNothing() {
        RateGate gate = new RateGate(Rate.parse("100/s"), Duration.ofSeconds(5), now::get);
        long sentEarly = now.get();
        now.addAndGet(Duration.ofMillis(300).toNanos());
        gate.onRateLimited(sentEarly);
        assertThat(gate.current().perSecond()).isEqualTo(50);
        now.addAndGet(Duration.ofMillis(300).toNanos());
        gate.onRateLimited(sentEarly);
        assertThat(gate.current().perSecond()).as("sent before the slowdown").isEqualTo(50);
        gate.onRateLimited(now.get());
        assertThat(gate.current().perSecond()).isEqualTo(25);
    }

    /**
     * A 429 saying Retry-After held back only its own item: the rest of the run went on
     * sending into the server's ban (5 requests in a 5 s ban), each answered 429 again.
     */
    @Test
    void a429sRetryAfterHoldsEveryStartUntilItHasPassed() {
        RateGate gate = new RateGate(Rate.parse("10/s"), Duration.ofSeconds(5), now::get);
        long reservedEarlier = gate.reserve();
        assertThat(reservedEarlier).isZero();
        gate.recordSend();
        now.addAndGet(Duration.ofMillis(20).toNanos());

        gate.onRateLimited(now.get() - 1, Duration.ofSeconds(5).toNanos());

        long pause = Duration.ofSeconds(5).toNanos();
        assertThat(gate.waitNow()).as("a start reserved before it").isEqualTo(pause);
        assertThat(gate.reserve()).as("a new reservation").isGreaterThanOrEqualTo(pause);
        now.addAndGet(Duration.ofSeconds(3).toNanos());
        assertThat(gate.waitNow()).isEqualTo(Duration.ofSeconds(2).toNanos());
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(gate.waitNow()).isZero();
        // A shorter Retry-After later does not cut a longer pause short.
        gate.onRateLimited(now.get(), Duration.ofSeconds(10).toNanos());
        gate.onRateLimited(now.get(), Duration.ofSeconds(1).toNanos());
        assertThat(gate.waitNow()).isEqualTo(Duration.ofSeconds(10).toNanos());

        RateGate open = new RateGate(null, Duration.ofSeconds(5), now::get);
        open.onRateLimited(now.get(), Duration.ofSeconds(5).toNanos());
        assertThat(open.waitNow()).as("without --rate, only the item waits").isZero();
        assertThat(open.reserve()).isZero();
    }

    @Test
    void withoutARateTheGateStaysOpenWhatever429sCome() {
        RateGate gate = new RateGate(null, Duration.ofSeconds(5), now::get);
        for (int i = 0; i < 50; i++) {
            gate.onRateLimited();
            now.addAndGet(Duration.ofMillis(200).toNanos());
            assertThat(gate.reserve()).isZero();
        }
        assertThat(gate.current()).isNull();
        assertThat(gate.slowdowns()).isZero();
    }

    @Test
    void slowdownsStopAtATenthOfTheConfiguredRate() {
        RateGate gate = new RateGate(Rate.parse("100/s"), Duration.ofSeconds(5), now::get);
        for (int i = 0; i < 20; i++) {
            gate.onRateLimited();
            now.addAndGet(Duration.ofMillis(200).toNanos());
        }
        assertThat(gate.current().perSecond()).isEqualTo(10);
    }

    @Test
    void afterA429AndTheRecoveryNoWindowOfTheConfiguredPeriodHoldsMoreThanItAllows() {
        // 600/min: the recovery climbs back in per-second steps (to 9/s, under the 10/s the
        // 429 came at), and the faster rate must still count the sends of the minute before.
        RateGate gate = new RateGate(Rate.parse("600/min"), Duration.ofSeconds(5), now::get);
        long start = now.get();
        java.util.List<Long> sends = new java.util.ArrayList<>();
        long step = Duration.ofMillis(10).toNanos();
        for (long t = 0; t < Duration.ofSeconds(240).toNanos(); t += step) {
            now.set(start + t);
            if (t == Duration.ofSeconds(30).toNanos()) {
                gate.onRateLimited();
            }
            gate.reserve();  // where the recovery happens
            if (gate.waitNow() == 0) {
                gate.recordSend();
                sends.add(now.get());
            }
        }
        assertThat(gate.current().perSecond()).isEqualTo(9);
        assertThat(mostIn(sends, Duration.ofSeconds(60).toNanos())).isLessThanOrEqualTo(600);
        assertThat(sends.size()).as("and the gate did not just stop").isGreaterThan(1500);
    }

    @Test
    void aGateIsForgettableOnlyAfterAQuietWindowAndNeverWhileSlowedDown() {
        RateGate gate = new RateGate(Rate.parse("10/s"), Duration.ofSeconds(5), now::get);
        long reservedWait = gate.reserve();
        gate.recordSend();
        assertThat(gate.forgettable()).isFalse();
        now.addAndGet(reservedWait + Duration.ofMillis(1100).toNanos());
        assertThat(gate.forgettable()).isTrue();

        gate.onRateLimited();
        now.addAndGet(Duration.ofMillis(1100).toNanos());
        assertThat(gate.forgettable()).as("a slowdown is state a fresh gate lacks").isFalse();
        assertThat(new RateGate(null, Duration.ofSeconds(5), now::get).forgettable()).isTrue();
    }
    /**
     * After review: a request withdrawn while it waited for its start kept that start, and
     * every later request waited behind the starts nobody used (9 s at 2/s after 20 cancels).
     */
    @Test
    void aStartGivenBackIsTakenByTheNextReservation() {
        RateGate gate = new RateGate(Rate.parse("2/s"), Duration.ofSeconds(5), now::get);
        gate.reserve();
        java.util.List<RateGate.Slot> withdrawn = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            withdrawn.add(gate.reserveSlot());
        }
        assertThat(withdrawn.getLast().waitNanos()).as("20 starts at 2/s")
                .isGreaterThan(Duration.ofSeconds(9).toNanos());

        withdrawn.forEach(gate::giveBack);

        assertThat(gate.reserveSlot().startAt()).as("the earliest start given back")
                .isEqualTo(withdrawn.getFirst().startAt());
        assertThat(gate.reserveSlot().startAt()).isEqualTo(withdrawn.get(1).startAt());
    }

    @Test
    void aStartGivenBackIsDroppedOnceStaleOrWhenTheRateHasChanged() {
        RateGate gate = new RateGate(Rate.parse("2/s"), Duration.ofSeconds(5), now::get);
        gate.reserve();
        RateGate.Slot fresh = gate.reserveSlot();
        gate.giveBack(fresh);
        assertThat(gate.reserveSlot().startAt()).as("taken while fresh").isEqualTo(fresh.startAt());
        RateGate.Slot stale = gate.reserveSlot();
        gate.giveBack(stale);
        now.set(stale.startAt() + Duration.ofSeconds(2).toNanos());
        assertThat(gate.reserveSlot().startAt()).as("past by more than a spacing")
                .isNotEqualTo(stale.startAt());

        RateGate.Slot beforeA429 = gate.reserveSlot();
        gate.onRateLimited();
        gate.giveBack(beforeA429);
        assertThat(gate.reserveSlot().startAt()).as("spaced for the rate before the 429")
                .isNotEqualTo(beforeA429.startAt());
    }

    /**
     * After review: a rate of no whole number a second ran at the whole number below it, or
     * slower (1.5/s at 0.95/s): its window held floor(1.5) = 1 start a second. So did the 3/s
     * a 429 halved. The window now spans the periods that hold a whole number of starts.
     */
    @Test
    void aRateOfNoWholeNumberAPeriodRunsAtThatRate() {
        record Case(String rate, long seconds, int most) {
        }
        for (Case c : java.util.List.of(new Case("1.5/s", 2, 3), new Case("2.5/s", 2, 5),
                new Case("0.75/s", 4, 3))) {
            Rate rate = Rate.parse(c.rate());
            RateGate gate = new RateGate(rate, Duration.ofSeconds(5), now::get);
            java.util.List<Long> sends = new java.util.ArrayList<>();
            long start = now.get();
            for (long t = 0; t < Duration.ofSeconds(60).toNanos(); t += 5_000_000L) {
                now.set(start + t);
                if (gate.waitNow() == 0) {
                    gate.recordSend();
                    sends.add(t);
                }
            }
            assertThat(sends.size()).as(c.rate() + " over a minute")
                    .isGreaterThanOrEqualTo((int) (rate.perSecond() * 60 * 0.93));
            assertThat(mostIn(sends, Duration.ofSeconds(c.seconds()).toNanos()))
                    .as(c.rate() + " in any " + c.seconds() + " s").isLessThanOrEqualTo(c.most());
        }
    }

    /**
     * After review: the gate keeps a start time for each start its window holds, so 10^6/s
     * took 24 MB a gate, and a gate per host with a rate per host. A window holds 1024 at
     * most, cut from the period so that no period holds more than the rate.
     */
    @Test
    void theWindowOfAHighRateStaysSmallAndNoPeriodHoldsMoreThanTheRate() {
        // From an exploratory test: the highest rates, whose parts (an int) stopped at
        // Integer.MAX_VALUE, held more than 1024 (10^18/s 4.6e8, an OutOfMemoryError).
        for (String text : java.util.List.of("1000000000/s", "3600000000000/h",
                "3599999999999.5/h", "1000000/s", "100000/min", "5000/s", "1025/s", "1024/s",
                "100/s", "7/h")) {
            Rate rate = Rate.parse(text);
            RateGate.Window window = RateGate.Window.of(rate);
            assertThat(window.starts()).as(text).isBetween(1, RateGate.Window.MOST);
            double windowsInAPeriod = Math.ceil((double) rate.period().toNanos()
                    / window.nanos());
            assertThat(window.starts() * windowsInAPeriod).as(text + " in any period")
                    .isLessThanOrEqualTo(rate.permits());
            assertThat(window.starts() * windowsInAPeriod).as(text + ", not far below")
                    .isGreaterThanOrEqualTo(rate.permits() * 0.9);
        }
        assertThat(RateGate.Window.of(Rate.parse("100/s")))
                .isEqualTo(new RateGate.Window(100, Duration.ofMillis(1050).toNanos()));
        // Under one a period, a window spans the periods that hold whole starts: 0.5/h is 1
        // in 2 h. After review: under 1e-6 a period it held Integer.MAX_VALUE starts (an
        // OutOfMemoryError); it holds 20, over the periods that make them.
        assertThat(RateGate.Window.of(Rate.parse("0.5/h")))
                .isEqualTo(new RateGate.Window(1, Duration.ofMinutes(126).toNanos()));
        assertThat(RateGate.Window.of(Rate.parse("0.000000001/s")).starts()).isEqualTo(20);
        // The bounds of a rate (see Rate): the first start of each goes at once.
        for (Rate rate : java.util.List.of(Rate.parse("0.000000001/s"), Rate.parse(
                "1000000000/s"), new Rate(1, Duration.ofDays(36_525)))) {
            assertThat(new RateGate(rate, Duration.ofSeconds(5), now::get).reserve())
                    .as(rate.toString()).isZero();
        }
    }

    /**
     * After review: the starts reserved before a 429's Retry-After pause all came due as it
     * ended, and went at once (10 within 11 ms at 20/s), bursts a server allowing a small
     * burst refused. They go a spacing of the halved rate apart now.
     */
    @Test
    void startsHeldByARetryAfterGoASpacingApartWhenItEnds() {
        RateGate gate = new RateGate(Rate.parse("20/s"), Duration.ofSeconds(5), now::get);
        gate.recordSend();
        gate.onRateLimited(now.get(), Duration.ofSeconds(2).toNanos());
        assertThat(gate.current().perSecond()).isEqualTo(10);
        java.util.List<Long> sends = new java.util.ArrayList<>();
        long start = now.get();
        for (long t = 0; sends.size() < 10 && t < Duration.ofSeconds(10).toNanos();
             t += 1_000_000) {
            now.set(start + t);
            while (sends.size() < 10 && gate.waitNow() == 0) {
                gate.recordSend();
                sends.add(t);
            }
        }
        assertThat(sends).hasSize(10);
        assertThat(sends.getFirst()).isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
        for (int i = 1; i < sends.size(); i++) {
            assertThat(sends.get(i) - sends.get(i - 1)).as("gap before send " + i)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(99).toNanos());
        }
    }

    /**
     * From a backfill: --rate 40/s against a server allowing 20/s (a token bucket of 20, 429
     * with Retry-After: 1 when it is empty). The rate halved on a 429, climbed back past the
     * server's limit and drew another, one about every 15 s for as long as the run went. It
     * now climbs back no higher than 90% of the rate the last 429 came at: a few 429s early,
     * then none in an hour, and the run still near the server's rate.
     */
    @Test
    void againstAServersLimitThe429sStopAndTheRateNeverClimbsBackToWhereOneCame() {
        RateGate gate = new RateGate(Rate.parse("40/s"), Duration.ofSeconds(5), now::get);
        Bucket server = new Bucket(20, 20, now.get());
        long start = now.get();
        long hour = Duration.ofHours(1).toNanos();
        java.util.List<Long> refused = new java.util.ArrayList<>();
        java.util.List<Double> refusedAt = new java.util.ArrayList<>();
        double highestAfter = 0;
        long sentInLastTenMinutes = 0;
        while (now.get() - start < hour) {
            long wait = gate.waitNow();
            if (wait > 0) {
                now.addAndGet(wait);
                continue;
            }
            double rate = gate.current().perSecond();  // where the recovery happens
            if (!refused.isEmpty()) {
                highestAfter = Math.max(highestAfter, rate);
            }
            gate.recordSend();
            if (now.get() - start > hour - Duration.ofMinutes(10).toNanos()) {
                sentInLastTenMinutes++;
            }
            if (!server.take(now.get())) {
                refused.add(now.get() - start);
                refusedAt.add(rate);
                gate.onRateLimited(now.get(), Duration.ofSeconds(1).toNanos());
            }
        }
        assertThat(refused).as("429s, at ns from the start").hasSizeLessThanOrEqualTo(6)
                .allMatch(at -> at < Duration.ofMinutes(5).toNanos());
        assertThat(highestAfter).as("the rate after the first 429, at %s/s",
                refusedAt.getFirst()).isLessThan(refusedAt.getFirst());
        for (int i = 1; i < refusedAt.size(); i++) {
            assertThat(refusedAt.get(i)).as("the rate at 429 number %d", i + 1)
                    .isLessThan(refusedAt.get(i - 1) * 0.91);
        }
        assertThat(sentInLastTenMinutes).as("sent in the last ten minutes, at 20/s: 12,000")
                .isGreaterThan(9_000);
    }

    /** A server's token bucket on the fake clock: {@code capacity} tokens, {@code perSecond}. */
    private static final class Bucket {
        private final double perSecond;
        private final double capacity;
        private double tokens;
        private long last;

        Bucket(double perSecond, double capacity, long now) {
            this.perSecond = perSecond;
            this.capacity = capacity;
            this.tokens = capacity;
            this.last = now;
        }

        /** Whether a request arriving at {@code now} is served (else: 429). */
        boolean take(long now) {
            tokens = Math.min(capacity, tokens + (now - last) * perSecond / 1e9);
            last = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }

    /** The most of {@code times} (sorted) that fall in any window of {@code nanos}. */
    private static int mostIn(java.util.List<Long> times, long nanos) {
        int first = 0;
        int most = 0;
        for (int last = 0; last < times.size(); last++) {
            while (times.get(last) - times.get(first) >= nanos) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }
}
