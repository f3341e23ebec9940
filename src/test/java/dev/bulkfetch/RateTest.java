package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The bounds of a rate, the same whether it is written as text or made as a value. */
class RateTest {

    /**
     * From an exploratory test: 10^18/s ran the gate out of memory (its window's parts, an
     * int, stopped at Integer.MAX_VALUE, leaving 4.6e8 starts a window), and a rate of 400
     * digits, Infinity, was refused as "must be positive".
     */
    @Test
    void aRateOfMoreThanOneStartANanosecondIsRefusedAsTooLarge() {
        assertThatThrownBy(() -> new Rate(1e18, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("too large a rate (at most 1000000000/s, one start a nanosecond): "
                        + "1.0E18 per PT1S");
        assertThatThrownBy(() -> new Rate(Double.POSITIVE_INFINITY, Duration.ofSeconds(1)))
                .hasMessageStartingWith("too large a rate");
        assertThatThrownBy(() -> Rate.parse("1000000000000000000/s"))
                .hasMessage("'1000000000000000000/s' is too large a rate (at most "
                        + "1000000000/s, one start a nanosecond)");
        assertThatThrownBy(() -> Rate.parse("9".repeat(400) + "/s"))
                .hasMessageContaining("is too large a rate");
        assertThatThrownBy(() -> Rate.parse("3600000000001/h"))
                .hasMessageContaining("is too large a rate");
        assertThat(new Rate(1e9, Duration.ofSeconds(1)).spacingNanos()).isEqualTo(1);
        assertThat(Rate.parse("3600000000000/h").spacingNanos()).isEqualTo(1);
    }

    /**
     * From an exploratory test: 10^-10/s was taken, and the first request never started (its
     * spacing, past Long.MAX_VALUE nanoseconds, stuck there); a period of over 100 years was
     * refused already, but not as many periods a start.
     */
    @Test
    void aRateOfLessThanOneStartIn100YearsIsRefusedAsTooSmall() {
        assertThatThrownBy(() -> new Rate(1e-12, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("too small a rate (at least one start in 100 years): 1.0E-12 per "
                        + "PT1S");
        assertThatThrownBy(() -> Rate.parse("0.0000000001/s"))
                .hasMessage("'0.0000000001/s' is too small a rate (at least one start in 100 "
                        + "years)");
        assertThatThrownBy(() -> Rate.parse("0.0000001/h"))
                .hasMessageContaining("is too small a rate");
        assertThatThrownBy(() -> new Rate(0.5, Duration.ofDays(365 * 60)))
                .hasMessageStartingWith("too small a rate");
        assertThat(new Rate(1, Duration.ofDays(36_525)).spacingNanos())
                .isEqualTo(Duration.ofDays(36_525).toNanos());
        assertThat(new Rate(0.5, Duration.ofDays(36_525 / 2)).perSecond()).isPositive();
        assertThat(Rate.parse("0.000000001/s").spacingNanos()).isEqualTo(1_000_000_000L
                * 1_000_000_000L);
    }
}
