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
 * @param requestsPerSecond items per second of wall time
 * @param p50Millis median latency
 * @param p99Millis 99th percentile latency
 * @param sumLatencySeconds the sum of every item's latency, for the ideal wall time
 * @param cpuSeconds process CPU time (user + sys) during the measured run
 * @param peakThreads the most live platform threads
 * @param peakHeapBytes the most heap in use
 * @param peakRssBytes the most resident memory (VmHWM), or 0 where it cannot be read
 * @param peakInFlight the most requests in flight at once
 */
public record Measurement(String engine, int concurrency, int repeat, long items, long ok,
                          Map<String, Long> errors, double wallSeconds,
                          double requestsPerSecond, double p50Millis, double p99Millis,
                          double sumLatencySeconds, double cpuSeconds, int peakThreads,
                          long peakHeapBytes, long peakRssBytes, int peakInFlight) {

    public Measurement {
        errors = Map.copyOf(errors);
    }

    long failures() {
        return items - ok;
    }
}
