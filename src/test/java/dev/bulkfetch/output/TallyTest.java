package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary counts the records written: those a failed sink lost leave every count. */
class TallyTest {

    private static FetchResult record(long seq, int status, long latencyMillis) {
        FetchError error = status == 200 ? null : FetchError.of(ErrorKind.HTTP, "HTTP " + status);
        return new FetchResult(seq, Long.toString(seq), "http://127.0.0.1/" + seq, "GET", status,
                error, 1, latencyMillis * 1_000_000, 2, "threads", null, null);
    }

    @Test
    void theRecordsSinceTheLastFlushLeaveTheCountsWhenLost() {
        Tally tally = new Tally();
        tally.add(record(1, 200, 10));
        tally.add(record(2, 404, 20));
        tally.flushed();
        tally.add(record(3, 200, 5_000));
        tally.add(record(4, 500, 6_000));
        tally.lost();

        Summary summary = tally.snapshot(1, 1, "threads", 1, null);
        assertThat(summary.items()).isEqualTo(2);
        assertThat(summary.ok()).isEqualTo(1);
        assertThat(summary.errors()).isEqualTo(Map.of(ErrorKind.HTTP, 1L));
        assertThat(summary.statuses()).isEqualTo(Map.of(200, 1L, 404, 1L));
        assertThat(summary.latency().count()).isEqualTo(2);
        assertThat(summary.latency().max()).isLessThan(21);
        assertThat(summary.latency().sumNanos()).isEqualTo(30_000_000);
        assertThat(summary.lost()).isEqualTo(2);
        assertThat(tally.items()).as("the progress line's count too").isEqualTo(2);
    }
}
