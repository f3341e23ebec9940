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
    void compoundDurationsAddTheirPartsLargerUnitsFirst() {
        assertThat(Units.parseDuration("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Units.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Units.parseDuration("2s500ms")).isEqualTo(Duration.ofMillis(2500));
        assertThat(Units.parseDuration("1h2m3s4ms")).isEqualTo(Duration.ofMillis(3_723_004));
        assertThat(Units.parseDuration("1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Units.parseDuration("23h59m59s999ms")).isEqualTo(
                Duration.ofDays(1).minusMillis(1));
        assertThat(Units.parseDuration("0m0s", true)).isEqualTo(Duration.ZERO);
        // min and sec too, as a rate takes them (100/min): from the exploratory test.
        assertThat(Units.parseDuration("1min")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Units.parseDuration("1min30sec")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Units.parseDuration("2sec500ms")).isEqualTo(Duration.ofMillis(2500));
        assertThatThrownBy(() -> Units.parseDuration("1m1min")).hasMessageContaining(
                "is not a duration");
    }

    @Test
    void aCompoundDurationOutOfOrderWithAUnitTwiceOrOutOfRangeIsRejected() {
        for (String wrong : new String[] {"30s1m", "500ms2s", "1m1m", "1s2s", "1m 30s", "1m30",
                "m30s", "1m30s!", ""}) {
            assertThatThrownBy(() -> Units.parseDuration(wrong)).as(wrong)
                    .isInstanceOf(TypeConversionException.class).hasMessage("'" + wrong
                            + "' is not a duration: write it like 250ms, 3s, 2m, 1h or 1m30s"
                            + " (larger units first, each once)");
        }
        assertThatThrownBy(() -> Units.parseDuration("24h1ms")).hasMessageContaining(
                "at most 24h");
        assertThatThrownBy(() -> Units.parseDuration("23h99999999999999999999999m"))
                .hasMessageContaining("at most 24h");
        assertThatThrownBy(() -> Units.parseDuration("0m0s")).hasMessageContaining(
                "at least 1ms");
        assertThatThrownBy(() -> Units.parseDuration("0s0ms")).hasMessageContaining(
                "at least 1ms");
    }

    @Test
    void aBareNumberIsRejectedSayingWhichUnitsItCouldHaveMeant() {
        // ms or s: curl's --max-time counts seconds, so neither is assumed.
        assertThatThrownBy(() -> Units.parseDuration("10")).isInstanceOf(
                TypeConversionException.class).hasMessage(
                        "'10' has no unit: write 10s for seconds (or 10ms)");
        assertThatThrownBy(() -> Units.parseDuration("1.5")).hasMessage(
                "'1.5' has no unit: write 1.5s for seconds (or 1.5ms)");
    }

    /**
     * After a probe: '0' was told to write 0s (or 0ms), then refused. Only a value that would
     * be taken is suggested; none, and the range is said.
     */
    @Test
    void aBareNumberIsToldOnlyUnitsThatWouldBeTaken() {
        assertThatThrownBy(() -> Units.parseDuration("0")).isInstanceOf(
                TypeConversionException.class).hasMessage("'0' must be at least 1ms");
        assertThatThrownBy(() -> Units.parseDuration("0.0")).hasMessage(
                "'0.0' must be at least 1ms");
        assertThatThrownBy(() -> Units.parseDuration("0", false, Units.NO_NO_TIMEOUT))
                .hasMessage("'0' must be at least 1ms; there is no 'no timeout' (24h at most)");
        assertThatThrownBy(() -> Units.parseDuration("0s", false, Units.NO_NO_TIMEOUT))
                .hasMessage("'0s' must be at least 1ms; there is no 'no timeout' (24h at most)");
        // Not zero: what it is not does not concern it.
        assertThatThrownBy(() -> Units.parseDuration("0.0001", false, Units.NO_NO_TIMEOUT))
                .hasMessage("'0.0001' must be at least 1ms");
        assertThatThrownBy(() -> Units.parseDuration("0.0001s", false, Units.NO_NO_TIMEOUT))
                .hasMessage("'0.0001s' must be at least 1ms");
        assertThatThrownBy(() -> Units.parseDuration("0.5")).hasMessage(
                "'0.5' has no unit: write 0.5s for seconds");
        assertThatThrownBy(() -> Units.parseDuration("100000")).hasMessage(
                "'100000' has no unit: write 100000ms for milliseconds");
        assertThatThrownBy(() -> Units.parseDuration("100000000")).hasMessage(
                "'100000000' must be at most 24h");
    }

    /** Where zero is allowed ("at least 1ms, or 0"), a bare 0 is none in any unit. */
    @Test
    void aBareZeroIsNoneWhereZeroIsAllowed() {
        assertThat(Units.parseDuration("0", true)).isEqualTo(Duration.ZERO);
        assertThat(Units.parseDuration("0.0", true)).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> Units.parseDuration("0.0001s", true)).hasMessage(
                "'0.0001s' must be at least 1ms, or 0");
    }

    @Test
    void aDurationBelowOneMillisecondOrOverADayIsRejected() {
        assertThatThrownBy(() -> Units.parseDuration("0s")).hasMessageContaining("at least 1ms");
        assertThatThrownBy(() -> Units.parseDuration("-1s")).isInstanceOf(
                TypeConversionException.class).hasMessage("'-1s' must be at least 1ms");
        assertThatThrownBy(() -> Units.parseDuration("-5m30s", true)).hasMessage(
                "'-5m30s' must be at least 1ms, or 0");
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
