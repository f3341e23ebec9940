package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class UnitsTest {

    @Test
    void durationsAreWrittenWithAUnit() {
        assertThat(Units.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Units.parseDuration("3s")).isEqualTo(Duration.ofSeconds(3));
        assertThat(Units.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Units.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Units.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aDurationWithoutAUnitBelowOneMillisecondOrOverADayIsRejected() {
        assertThatThrownBy(() -> Units.parseDuration("30")).isInstanceOf(
                TypeConversionException.class).hasMessageContaining("250ms");
        assertThatThrownBy(() -> Units.parseDuration("0s")).hasMessageContaining("at least 1ms");
        assertThatThrownBy(() -> Units.parseDuration("-1s")).isInstanceOf(
                TypeConversionException.class);
        // No option waits longer; 3000000h overflowed the engines' nanoseconds.
        assertThatThrownBy(() -> Units.parseDuration("25h")).hasMessageContaining("at most 24h");
        assertThat(Units.parseDuration("24h")).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void sizesUseBinaryUnitsAndPlainBytes() {
        assertThat(Units.parseSize("512KiB")).isEqualTo(512 * 1024);
        assertThat(Units.parseSize("10MiB")).isEqualTo(10L * 1024 * 1024);
        assertThat(Units.parseSize("1GiB")).isEqualTo(1L << 30);
        assertThat(Units.parseSize("1MB")).isEqualTo(1_000_000);
        assertThat(Units.parseSize("4096")).isEqualTo(4096);
        assertThatThrownBy(() -> Units.parseSize("lots")).isInstanceOf(
                TypeConversionException.class).hasMessageContaining("10MiB");
    }
}
