package dev.bulkfetch.compare;

import java.util.Map;

/**
 * What one forked run of one engine at one concurrency measured, after its warm-up. Written by
 * the child as one JSON object, read back by the parent.
 *
 * @param engine engine name
 * @param concurrency requests in flight at most
 * @param repeat 1-based repetition
 * @param items records written
 * @param ok records with a 2xx response
 * @param errors failures by kind
 * @param wallSeconds wall time of the measured run
 * @param p50Millis median latency, or null when no request was sent (an empty list): no
 *     figure, where 0 would read as fast, as fetch's summary has it
 * @param p99Millis 99th percentile latency, or null as {@code p50Millis}
 * @param sumLatencySeconds the sum of every item's latency, for the ideal wall time
 * @param cpuSeconds process CPU time (user + sys) during the measured run
 * @param peakThreads the most live platform threads
 * @param peakHeapBytes the most heap in use
 * @param peakRssBytes the most resident memory (VmHWM), or 0 where it cannot be read
 * @param peakInFlight the most requests in flight at once
 */
public record Measurement(String engine, int concurrency, int repeat, long items, long ok,
                          Map<String, Long> errors, double wallSeconds, Double p50Millis,
                          Double p99Millis, double sumLatencySeconds, double cpuSeconds,
                          int peakThreads, long peakHeapBytes, long peakRssBytes,
                          int peakInFlight) {

    public Measurement {
        errors = Map.copyOf(errors);
    }

    long failures() {
        return items - ok;
    }

    /** Items that were sent: all but input errors, which cost no request. */
    long sent() {
        return items - errors.getOrDefault("input", 0L);
    }

    /**
     * Requests sent per second of wall time, as the table's req/s has it: derived, not
     * measured, so the progress line, runs.json and the table cannot tell different rates.
     */
    @com.fasterxml.jackson.annotation.JsonProperty("requests_per_second")
    public double requestsPerSecond() {
        return perSecond(sent(), wallSeconds);
    }

    /**
     * The one definition of req/s: requests sent over wall time. An item counts once, however
     * many redirects it followed (the engines do not count hops; every engine follows the same).
     */
    static double perSecond(long sent, double wallSeconds) {
        return wallSeconds > 0 ? sent / wallSeconds : 0;
    }
}
