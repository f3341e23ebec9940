package dev.bulkfetch.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    @Test
    void retryAfterReadsSecondsAndHttpDates() {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        assertThat(RetryAfter.nanos("3", now)).isEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(RetryAfter.nanos("Sun, 22 Nov 2026 10:00:05 GMT", now))
                .isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(RetryAfter.nanos("Sun, 22 Nov 2026 09:00:00 GMT", now)).isZero();
        assertThat(RetryAfter.nanos("soon", now)).isZero();
        assertThat(RetryAfter.nanos(null, now)).isZero();
        assertThat(RetryAfter.nanos("999999", now)).isEqualTo(Duration.ofHours(1).toNanos());
    }

    /** A hold's note says how long the server asked for when it is cut to an hour. */
    @Test
    void aWaitPastAnHourIsGrantedAnHourAndKeepsWhatWasAsked() {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        assertThat(RetryAfter.of("7200", now)).isEqualTo(new RetryAfter.Wait(
                Duration.ofHours(2), Duration.ofHours(1)));
        assertThat(RetryAfter.of("Sun, 22 Nov 2026 13:00:00 GMT", now)).isEqualTo(
                new RetryAfter.Wait(Duration.ofHours(3), Duration.ofHours(1)));
        assertThat(RetryAfter.of("3600", now)).isEqualTo(new RetryAfter.Wait(
                Duration.ofHours(1), Duration.ofHours(1)));
        assertThat(RetryAfter.of("12345678901234567890", now)).isEqualTo(new RetryAfter.Wait(
                Duration.ofSeconds(Long.MAX_VALUE), Duration.ofHours(1)));
        assertThat(RetryAfter.of("soon", now)).isEqualTo(new RetryAfter.Wait(Duration.ZERO,
                Duration.ZERO));
    }
}
