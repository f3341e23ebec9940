package dev.bulkfetch.output;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.Rate;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Counts what the run's records say, as they are written. The driver thread is the only writer;
 * the progress line reads the adders from its own thread, and {@link #snapshot} publishes an
 * immutable {@link Summary}.
 */
public final class Tally {

    private static final long MAX_TRACKED_MICROS = TimeUnit.HOURS.toMicros(1);

    // Read by the progress thread; written by the driver.
    private final LongAdder items = new LongAdder();
    private final LongAdder failures = new LongAdder();
    // The rest is confined to the driver thread.
    private final Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
    private final Map<Integer, Long> statuses = new TreeMap<>();
    private final Histogram latencyMicros = new Histogram(MAX_TRACKED_MICROS, 3);
    private long ok;
    private long sent;
    private long latencySumNanos;
    private long retries;
    private long rateLimited;
    private long unavailableWithRetryAfter;
    private long tlsFailures;

    public void add(FetchResult r) {
        items.increment();
        if (r.ok()) {
            ok++;
        } else {
            failures.increment();
            errors.merge(r.error().kind(), 1L, Long::sum);
        }
        if (r.status() != null) {
            statuses.merge(r.status(), 1L, Long::sum);
        }
        if (r.attempts() > 0) {
            sent++;
            latencySumNanos += r.latencyNanos();
            long micros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(r.latencyNanos()));
            latencyMicros.recordValue(Math.min(micros, MAX_TRACKED_MICROS));
        }
    }

    /** An attempt failed and will go again. */
    public void noteRetry() {
        retries++;
    }

    /** The server answered 429 to an attempt (retried or not). */
    public void noteRateLimited() {
        rateLimited++;
    }

    /**
     * The server answered 503 with a Retry-After to an attempt (retried or not): a pause it
     * asked for, as a 429's, where a bare 503 is only an error.
     */
    public void noteUnavailableWithRetryAfter() {
        unavailableWithRetryAfter++;
    }

    /** An item's final attempt failed to connect in the TLS handshake (see Summary). */
    public void noteTlsFailure() {
        tlsFailures++;
    }

    long items() {
        return items.sum();
    }

    long failures() {
        return failures.sum();
    }

    /** The summary as of now. */
    public Summary snapshot(long wallNanos, int peakInFlight, String engine, int concurrency,
                            Rate rateNow) {
        return new Summary(items.sum(), ok, new EnumMap<>(errors), new TreeMap<>(statuses),
                Summary.Latency.of(latencyMicros, sent, latencySumNanos), wallNanos, peakInFlight,
                engine, concurrency, retries, rateLimited, unavailableWithRetryAfter,
                tlsFailures,
                rateNow == null ? null : rateNow.perSecond());
    }
}
