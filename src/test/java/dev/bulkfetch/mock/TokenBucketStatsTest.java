package dev.bulkfetch.mock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * serve --limit's line at its stop (after an exploratory test: with nothing come, it told of a
 * busiest second "ending 0.00 s after the first arrival", an arrival there never was).
 */
class TokenBucketStatsTest {

    @Test
    void beforeAnyArrivalItSaysSoAndNoMore() {
        assertThat(new TokenBucket(2, 2).stats()).isEqualTo("arrivals 0, refused (429) 0");
    }
}
