package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.run.BulkRun;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The note of a Retry-After's hold (said through the CLI in RateLimitTest). */
class HoldNoteTest {

    private static final Instant AT = Instant.parse("2026-03-01T13:02:27.600Z");

    @Test
    void aHostsHoldSaysTheOtherHostsGoOnAndTheEndIsATimeOfDayInTheZone() {
        BulkRun.Hold hold = new BulkRun.Hold("api.example.com", false, Duration.ofHours(1), AT);
        assertThat(HoldNote.of(hold, ZoneOffset.ofHours(2))).isEqualTo("bulkfetch fetch: the"
                + " server at api.example.com asked to wait 1 h (a 429's Retry-After): nothing"
                + " goes to it until 15:02:27; other hosts go on");
    }

    @Test
    void aLengthReadsInHoursMinutesAndSeconds() {
        assertThat(HoldNote.readable(Duration.ofSeconds(5))).isEqualTo("5 s");
        assertThat(HoldNote.readable(Duration.ofMillis(149_600))).isEqualTo("2 min 30 s");
        assertThat(HoldNote.readable(Duration.ofSeconds(3_605))).isEqualTo("1 h 5 s");
        assertThat(HoldNote.readable(Duration.ofMinutes(90))).isEqualTo("1 h 30 min");
    }
}
