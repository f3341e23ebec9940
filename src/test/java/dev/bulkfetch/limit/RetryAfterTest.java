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
}
