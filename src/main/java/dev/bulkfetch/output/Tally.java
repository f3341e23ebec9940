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
 *
 * <p>A record handed to the sink may yet be lost: it waits in the sink's buffer until a flush,
 * and a reader of the records that stopped (a pipeline's, at Ctrl-C) fails that flush. The
 * records added since the last flush are kept, a few fields each, until the sink says they went
 * out ({@link #flushed}) or were lost ({@link #lost}), which takes them out of the counts: the
 * summary counts the records written, and the lost apart.
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
    private long refusedCertificates;
    // Added since the sink's last flush, which a failed one loses.
    private final java.util.List<Unflushed> unflushed = new java.util.ArrayList<>();
    private long lost;

    /** What a record added to the counts, to take back out if it is lost. */
    private record Unflushed(boolean ok, ErrorKind kind, Integer status, boolean sent,
                             long latencyNanos) {
    }

    public void add(FetchResult r) {
        unflushed.add(new Unflushed(r.ok(), r.ok() ? null : r.error().kind(), r.status(),
                r.attempts() > 0, r.latencyNanos()));
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
            latencyMicros.recordValue(micros(r.latencyNanos()));
        }
    }

    private static long micros(long nanos) {
        return Math.min(Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos)), MAX_TRACKED_MICROS);
    }

    /** The records added so far went out of the sink (a flush, or its close). */
    public void flushed() {
        unflushed.clear();
    }

    /**
     * The records added since the last flush did not go out, nor will: the sink failed (its
     * reader gone). They leave the counts, which are of the records written, and are counted
     * as lost. The progress line may have shown them: it showed what was done.
     */
    public void lost() {
        Histogram lostMicros = new Histogram(MAX_TRACKED_MICROS, 3);
        for (Unflushed r : unflushed) {
            items.decrement();
            if (r.ok()) {
                ok--;
            } else {
                failures.decrement();
                errors.computeIfPresent(r.kind(), (kind, n) -> n == 1 ? null : n - 1);
            }
            if (r.status() != null) {
                statuses.computeIfPresent(r.status(), (status, n) -> n == 1 ? null : n - 1);
            }
            if (r.sent()) {
                sent--;
                latencySumNanos -= r.latencyNanos();
                lostMicros.recordValue(micros(r.latencyNanos()));
            }
        }
        latencyMicros.subtract(lostMicros);
        lost += unflushed.size();
        unflushed.clear();
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

    /**
     * An item's final attempt failed to connect in the TLS handshake, {@code
     * certificateRefused} when it refused the server's certificate (see Summary).
     */
    public void noteTlsFailure(boolean certificateRefused) {
        tlsFailures++;
        if (certificateRefused) {
            refusedCertificates++;
        }
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
                tlsFailures, refusedCertificates,
                rateNow == null ? null : rateNow.perSecond(), lost);
    }
}
