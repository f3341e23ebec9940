package dev.bulkfetch.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.bulkfetch.ErrorKind;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * The end-of-run summary: immutable, printed on stderr as text and written as JSON on request.
 *
 * @param items records written
 * @param ok records with a 2xx final response
 * @param errors failures by kind
 * @param statuses final statuses and how often each came
 * @param latency latency percentiles over the items that were sent (none when none was: a
 *     resume with nothing left, a list of bad lines; the text and the JSON leave them out)
 * @param wallNanos wall time of the run
 * @param peakInFlight the most requests in flight at once
 * @param retries attempts that failed and went again
 * @param rateLimited responses with status 429, retried or not
 * @param unavailableWithRetryAfter responses with status 503 and a {@code Retry-After},
 *     retried or not: the server asked for a pause, as with a 429 (counted among the
 *     {@code statuses} only when it was an item's last answer)
 * @param tlsFailures items whose {@code connect} error came in the TLS handshake (counted
 *     among the {@code connect} errors too): the server was reached, not down
 * @param refusedCertificates of those, the items whose handshake refused the server's
 *     certificate (untrusted, expired, another host's), which the CLI's options can trust
 * @param ratePerSecond the rate limit in force at the end (after any 429 slowdown), or null
 * @param lost records made but never written: the output failed (a pipeline's reader
 *     stopped, at Ctrl-C or after {@code | head -1}; a full disk) before they went out of
 *     the buffer; not counted among the {@code items}, nor anywhere else here
 */
public record Summary(long items, long ok, Map<ErrorKind, Long> errors,
                      Map<Integer, Long> statuses, Latency latency, long wallNanos,
                      int peakInFlight, String engine, int concurrency, long retries,
                      long rateLimited, long unavailableWithRetryAfter, long tlsFailures,
                      long refusedCertificates, Double ratePerSecond, long lost) {

    public Summary {
        errors = Collections.unmodifiableMap(errors);
        statuses = Collections.unmodifiableMap(statuses);
    }

    public long failures() {
        return items - ok;
    }

    public double wallSeconds() {
        return wallNanos / 1e9;
    }

    /** Items finished per second of wall time. */
    public double itemsPerSecond() {
        return wallNanos == 0 ? 0 : items / wallSeconds();
    }

    /** The sum of every sent item's latency: what a serial run would have waited. */
    public double latencySumSeconds() {
        return latency.sumNanos() / 1e9;
    }

    /** Latency percentiles in milliseconds, over {@code count} sent items. */
    public record Latency(long count, double p50, double p90, double p99, double max,
                          long sumNanos) {
        static Latency of(Histogram micros, long count, long sumNanos) {
            if (count == 0) {
                return new Latency(0, 0, 0, 0, 0, 0);
            }
            return new Latency(count, ms(micros.getValueAtPercentile(50)),
                    ms(micros.getValueAtPercentile(90)), ms(micros.getValueAtPercentile(99)),
                    ms(micros.getMaxValue()), sumNanos);
        }

        private static double ms(long micros) {
            return Math.round(micros / 10.0) / 100.0;
        }
    }

    /** The summary as a few lines of text for stderr. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT,
                "%d %s: %d ok, %d failed in %.2f s (%.1f/s), engine %s, concurrency %d%n",
                items, items == 1 ? "item" : "items", ok, failures(), wallSeconds(),
                itemsPerSecond(), engine, concurrency));
        if (!errors.isEmpty()) {
            out.append("  errors: ").append(errors.entrySet().stream()
                    .map(e -> e.getKey().wireName() + " " + e.getValue())
                    .collect(Collectors.joining(", "))).append('\n');
        }
        if (!statuses.isEmpty()) {
            out.append("  status: ").append(statuses.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", "))).append('\n');
        }
        if (latency.count > 0) {
            out.append(String.format(Locale.ROOT,
                    "  latency ms: p50 %.1f, p90 %.1f, p99 %.1f, max %.1f; most in flight %d%n",
                    latency.p50, latency.p90, latency.p99, latency.max, peakInFlight));
        } else if (peakInFlight > 0) {
            // Sent, yet no record: stopped before an answer was written (Ctrl-C, --grace 0).
            out.append(String.format(Locale.ROOT, "  most in flight %d%n", peakInFlight));
        }
        if (retries > 0 || rateLimited > 0 || unavailableWithRetryAfter > 0
                || ratePerSecond != null) {
            // The 503s only when some came: most servers send their 503s bare.
            out.append(String.format(Locale.ROOT, "  retries %d, 429s %d%s%s%n", retries,
                    rateLimited, unavailableWithRetryAfter == 0 ? ""
                            : ", 503s with Retry-After " + unavailableWithRetryAfter,
                    ratePerSecond == null ? "" : ", rate at the end "
                            + readable(ratePerSecond)));
        }
        if (lost > 0) {
            out.append(String.format(Locale.ROOT,
                    "  records lost: %d, not written as the output failed%n",
                    lost));
        }
        return out.toString();
    }

    /** {@code perSecond} in the unit --rate would be written in: 0.95/min, not 0.0/s. */
    private static String readable(double perSecond) {
        return perSecond >= 1 ? String.format(Locale.ROOT, "%.1f/s", perSecond)
                : perSecond * 60 >= 1 ? String.format(Locale.ROOT, "%.2f/min", perSecond * 60)
                : String.format(Locale.ROOT, "%.2f/h", perSecond * 3600);
    }

    /**
     * Writes the summary as one JSON object. After {@code --resume}, the {@code kept} records
     * of earlier runs ({@code keptFailed} of them not ok) are counted apart from this run's
     * items, and {@code all_ok} says whether every record in the output is ok, as the exit
     * code does; {@code interrupted} runs (Ctrl-C) are never all ok, as items are left, and
     * nor are runs whose input grew past what they read, by {@code unreadLines}, nor runs
     * {@code stoppedShort} (a body that could not be saved ended it: items were left).
     */
    public void writeJson(OutputStream out, long kept, long keptFailed, boolean interrupted,
                          long unreadLines, boolean stoppedShort) throws IOException {
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeNumberField("items", items);
            json.writeNumberField("ok", ok);
            json.writeNumberField("failed", failures());
            json.writeObjectFieldStart("errors");
            for (Map.Entry<ErrorKind, Long> e : errors.entrySet()) {
                json.writeNumberField(e.getKey().wireName(), e.getValue());
            }
            json.writeEndObject();
            json.writeObjectFieldStart("statuses");
            for (Map.Entry<Integer, Long> e : statuses.entrySet()) {
                json.writeNumberField(e.getKey().toString(), e.getValue());
            }
            json.writeEndObject();
            if (latency.count == 0) {
                json.writeNullField("latency_ms");  // no figure, where 0 would read as fast
            } else {
                json.writeObjectFieldStart("latency_ms");
                json.writeNumberField("p50", latency.p50);
                json.writeNumberField("p90", latency.p90);
                json.writeNumberField("p99", latency.p99);
                json.writeNumberField("max", latency.max);
                json.writeEndObject();
            }
            json.writeNumberField("wall_s", Math.round(wallSeconds() * 1000) / 1000.0);
            // Items, not requests: retries and redirects are not counted in it.
            json.writeNumberField("items_per_s", Math.round(itemsPerSecond() * 10) / 10.0);
            json.writeNumberField("peak_in_flight", peakInFlight);
            json.writeNumberField("retries", retries);
            json.writeNumberField("responses_429", rateLimited);
            json.writeNumberField("responses_503_retry_after", unavailableWithRetryAfter);
            json.writeNumberField("connect_tls", tlsFailures);
            json.writeNumberField("connect_certificate_refused", refusedCertificates);
            if (ratePerSecond == null) {
                json.writeNullField("rate_per_s_at_end");
            } else {
                // Three decimals: a rate of 1/min is 0.017/s, which one decimal made 0.0.
                json.writeNumberField("rate_per_s_at_end",
                        Math.round(ratePerSecond * 1000) / 1000.0);
            }
            json.writeStringField("engine", engine);
            json.writeNumberField("concurrency", concurrency);
            json.writeNumberField("kept", kept);
            json.writeNumberField("kept_failed", keptFailed);
            json.writeBooleanField("interrupted", interrupted);
            json.writeNumberField("unread_lines", unreadLines);
            json.writeNumberField("records_lost", lost);
            json.writeBooleanField("all_ok", !interrupted && !stoppedShort && failures() == 0
                    && keptFailed == 0 && unreadLines == 0 && lost == 0);
            json.writeEndObject();
            json.writeRaw('\n');
        }
    }
}
