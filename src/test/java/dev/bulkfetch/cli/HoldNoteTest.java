package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.Rate;
import dev.bulkfetch.limit.RetryAfter;
import dev.bulkfetch.run.Hold;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The note of a Retry-After's hold (said through the CLI in RateLimitTest). */
class HoldNoteTest {

    private static final Instant AT = Instant.parse("2026-03-01T13:02:27.600Z");

    @Test
    void aHostsHoldSaysTheOtherHostsGoOnAndTheEndIsATimeOfDayInTheZone() {
        Hold hold = new Hold("api.example.com", 429,
                Hold.Scope.HOST, Duration.ofHours(1), Duration.ofHours(1), AT);
        assertThat(HoldNote.of(hold, null, ZoneOffset.ofHours(2))).isEqualTo("bulkfetch"
                + " fetch: the server at api.example.com asked to wait 1 h (a 429's Retry-After):"
                + " nothing goes to it until 15:02:27; other hosts go on");
    }

    /**
     * From a review: without a rate, the items a host answered 429 wait out its Retry-After
     * before their retries, and nothing said so; the run and that host's other items go on.
     */
    @Test
    void aHoldWithoutARateSaysTheItemsAnswered429WaitAndTheRunGoesOn() {
        Hold hold = new Hold("api.example.com", 429,
                Hold.Scope.ANSWERED, Duration.ofMinutes(1), Duration.ofMinutes(1), AT);
        assertThat(HoldNote.of(hold, null, ZoneOffset.UTC)).isEqualTo("bulkfetch fetch: the"
                + " server at api.example.com asked to wait 1 min (a 429's Retry-After): the items"
                + " it answered 429 wait until 13:02:27 to go again; the run goes on with the"
                + " others");
    }

    /**
     * From a review: a 503's Retry-After delays the retries of the items it answered, and
     * nothing said so. Its note names the 503, not a 429.
     */
    @Test
    void a503sHoldSaysItWasA503sRetryAfterAndTheItemsItAnswered503Wait() {
        Hold hold = new Hold("api.example.com", 503,
                Hold.Scope.ANSWERED, Duration.ofMinutes(1), Duration.ofMinutes(1), AT);
        assertThat(HoldNote.of(hold, null, ZoneOffset.UTC)).isEqualTo("bulkfetch fetch: the"
                + " server at api.example.com asked to wait 1 min (a 503's Retry-After): the items"
                + " it answered 503 wait until 13:02:27 to go again; the run goes on with the"
                + " others");
    }

    /**
     * From a review: under a rate, a 503's note said the run went on with the others, which
     * go at the rate's pace (held with it by a 429's Retry-After, slowed by 429s), not on as
     * they would without one; a 503 leaves that pace as it was.
     */
    @Test
    void a503sHoldUnderARateSaysTheOthersGoAtItsPaceWhichTheHoldDoesNotSlow() {
        Hold hold = new Hold("api.example.com", 503,
                Hold.Scope.ANSWERED, Duration.ofMinutes(1), Duration.ofMinutes(1), AT);
        assertThat(HoldNote.of(hold, "--rate", ZoneOffset.UTC)).isEqualTo("bulkfetch fetch:"
                + " the server at api.example.com asked to wait 1 min (a 503's Retry-After):"
                + " the items it answered 503 wait until 13:02:27 to go again; the others go at"
                + " the pace of --rate, which a 503 does not slow");
        assertThat(HoldNote.pacedBy(FetchConfig.builder().rate(Rate.parse("10/s")).build()))
                .isEqualTo("--rate");
        assertThat(HoldNote.pacedBy(FetchConfig.builder().ratePerHost(Rate.parse("2/s"))
                .build())).isEqualTo("--rate-per-host");
        assertThat(HoldNote.pacedBy(FetchConfig.builder().build())).isNull();
    }

    /** From a review: a Retry-After past an hour was cut to an hour without a word. */
    @Test
    void aHoldCutToAnHourSaysHowLongTheServerAskedFor() {
        Hold hold = new Hold("api.example.com", 429,
                Hold.Scope.RUN, Duration.ofHours(1), Duration.ofMinutes(150), AT);
        assertThat(HoldNote.of(hold, null, ZoneOffset.UTC)).isEqualTo("bulkfetch fetch: the"
                + " server at api.example.com asked to wait 2 h 30 min (a 429's Retry-After),"
                + " longer than the 1 h bulkfetch waits at most: the run sends nothing until"
                + " 13:02:27");
    }

    @Test
    void aLengthReadsInHoursMinutesAndSeconds() {
        assertThat(HoldNote.readable(Duration.ofSeconds(5))).isEqualTo("5 s");
        assertThat(HoldNote.readable(Duration.ofMillis(149_600))).isEqualTo("2 min 30 s");
        assertThat(HoldNote.readable(Duration.ofSeconds(3_605))).isEqualTo("1 h 5 s");
        assertThat(HoldNote.readable(Duration.ofMinutes(90))).isEqualTo("1 h 30 min");
        assertThat(HoldNote.readable(Duration.ofHours(1000))).isEqualTo("1000 h");
    }

    /**
     * A Retry-After of 20 digits, read as the longest Duration, was said as "2562047788015215
     * h 30 min 7 s", a number the server never sent: a wait past 1000 h is said as that.
     */
    @Test
    void aWaitPastAThousandHoursReadsAsMoreThanThat() {
        assertThat(HoldNote.readable(Duration.ofHours(1000).plusSeconds(1)))
                .isEqualTo("more than 1000 h");
        assertThat(HoldNote.readable(RetryAfter.of("99999999999999999999", Instant.EPOCH)
                .asked())).isEqualTo("more than 1000 h");
        Hold hold = new Hold("api.example.com", 429, Hold.Scope.RUN,
                Duration.ofHours(1), Duration.ofSeconds(Long.MAX_VALUE), AT);
        assertThat(HoldNote.of(hold, null, ZoneOffset.UTC)).isEqualTo("bulkfetch fetch: the"
                + " server at api.example.com asked to wait more than 1000 h (a 429's Retry-After),"
                + " longer than the 1 h bulkfetch waits at most: the run sends nothing until"
                + " 13:02:27");
    }
}
