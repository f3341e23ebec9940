package dev.bulkfetch.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * One line of the comparison: the medians over the repeats of one engine at one concurrency,
 * with the speedup over serial and the efficiency against the ideal wall time where known.
 */
record Row(String engine, int concurrency, int runs, long items, double wallSeconds,
           double requestsPerSecond, Double p50Millis, Double p99Millis, long failures,
           Map<String, Long> errors, double cpuSeconds, double peakThreads,
           // Named as the runs' own keys are: the naming strategy made "peak_heap_mi_b".
           @com.fasterxml.jackson.annotation.JsonProperty("peak_heap_mib") double peakHeapMiB,
           @com.fasterxml.jackson.annotation.JsonProperty("peak_rss_mib") double peakRssMiB,
           double peakInFlight,
           double sumLatencySeconds, Double speedup, Double efficiency) {

    static Row of(List<Measurement> runs) {
        Measurement first = runs.getFirst();
        Map<String, Long> errors = new TreeMap<>();
        runs.stream().flatMap(m -> m.errors().keySet().stream()).distinct().forEach(kind ->
                errors.put(kind, Math.round(median(runs, m -> m.errors().getOrDefault(kind, 0L)))));
        double wall = median(runs, Measurement::wallSeconds);
        // Requests sent over the median wall: input errors cost no request, and a median of
        // rates over an even number of runs is not the rate of the median run.
        long sent = first.items() - errors.getOrDefault("input", 0L);
        return new Row(first.engine(), first.concurrency(), runs.size(), first.items(),
                wall, Measurement.perSecond(sent, wall),
                latency(runs, Measurement::p50Millis), latency(runs, Measurement::p99Millis),
                Math.round(median(runs, Measurement::failures)), errors,
                median(runs, Measurement::cpuSeconds), median(runs, Measurement::peakThreads),
                median(runs, m -> m.peakHeapBytes() / 1048576.0),
                median(runs, m -> m.peakRssBytes() / 1048576.0),
                median(runs, Measurement::peakInFlight),
                median(runs, Measurement::sumLatencySeconds), null, null);
    }

    Row withRatios(Double speedup, Double efficiency) {
        return new Row(engine, concurrency, runs, items, wallSeconds, requestsPerSecond, p50Millis,
                p99Millis, failures, errors, cpuSeconds, peakThreads, peakHeapMiB, peakRssMiB,
                peakInFlight, sumLatencySeconds, speedup, efficiency);
    }

    /** Items that were sent: all but input errors, which cost no request. */
    long sent() {
        return items - errors.getOrDefault("input", 0L);
    }

    /** Whether some item came back ok: a run with none measured only its failures. */
    boolean anyOk() {
        return failures < items;
    }

    /** CPU milliseconds per item sent. */
    double cpuMillisPerRequest() {
        return sent() == 0 ? 0 : cpuSeconds * 1000 / sent();
    }

    /** The median of the runs that measured a latency; null when none sent a request. */
    private static Double latency(List<Measurement> runs,
                                  java.util.function.Function<Measurement, Double> field) {
        List<Double> measured = runs.stream().map(field).filter(java.util.Objects::nonNull)
                .toList();
        return measured.isEmpty() ? null : median(measured, Double::doubleValue);
    }

    static <T> double median(List<T> values, ToDoubleFunction<T> field) {
        List<Double> sorted = new ArrayList<>();
        for (T value : values) {
            sorted.add(field.applyAsDouble(value));
        }
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
