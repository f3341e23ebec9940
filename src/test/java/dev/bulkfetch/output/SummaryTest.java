package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTest {

    private static Summary withRate(double perSecond) {
        return new Summary(1, 1, Map.of(), Map.of(200, 1L),
                new Summary.Latency(1, 1, 1, 1, 1, 1_000_000), 1_000_000_000L, 1, "threads", 4, 0,
                0, 0, 0, 0, perSecond, 0);
    }

    /** A backfill at 1/min read "rate at the end 0.0/s", in the text and the JSON. */
    @Test
    void aSlowRateIsShownInTheUnitItWouldBeWrittenIn() throws Exception {
        assertThat(withRate(1 / 60.0).toText()).contains("rate at the end 1.00/min");
        assertThat(withRate(0.5 / 3600).toText()).contains("rate at the end 0.50/h");
        assertThat(withRate(95).toText()).contains("rate at the end 95.0/s");
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        withRate(1 / 60.0).writeJson(json, 0, 0, false, 0, false);
        assertThat(json.toString(StandardCharsets.UTF_8))
                .contains("\"rate_per_s_at_end\" : 0.017");
    }

    /** Most servers send their 503s bare: the text names those with a Retry-After if any. */
    @Test
    void the503sWithARetryAfterAreInTheTextOnlyWhenSomeCameAndInTheJsonAlways()
            throws Exception {
        Summary none = withRate(10);
        Summary some = new Summary(1, 0, Map.of(), Map.of(503, 1L), none.latency(),
                1_000_000_000L, 1, "threads", 4, 2, 1, 3, 0, 0, null, 0);
        assertThat(none.toText()).doesNotContain("503s");
        assertThat(some.toText()).contains("  retries 2, 429s 1, 503s with Retry-After 3\n");
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        none.writeJson(json, 0, 0, false, 0, false);
        assertThat(json.toString(StandardCharsets.UTF_8))
                .contains("\"responses_503_retry_after\" : 0");
    }

    /**
     * The JSON's rate is items per second: it was called requests_per_s, and read as half the
     * request rate of a run whose every item was retried once.
     */
    @Test
    void theRateInTheJsonIsNamedForWhatItCounts() throws Exception {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        withRate(10).writeJson(json, 0, 0, false, 0, false);
        assertThat(json.toString(StandardCharsets.UTF_8)).contains("\"items_per_s\" : ")
                .doesNotContain("requests_per_s");
    }
}
