package dev.bulkfetch.compare;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The comparison as a plain-text table, one row per engine and concurrency. */
final class Table {

    private static final String HEADER = String.format(Locale.ROOT,
            "%-10s %6s %8s %9s %8s %8s %7s %7s %8s %8s %8s %9s %8s %6s",
            "engine", "conc", "wall s", "req/s", "p50 ms", "p99 ms", "failed", "cpu s",
            "threads", "heap MiB", "rss MiB", "in flight", "speedup", "eff");

    private Table() {
    }

    static String render(List<Row> rows) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT,
                    "%-10s %6d %8.2f %9.0f %8.1f %8.1f %7d %7.2f %8.0f %8.0f %8.0f %9.0f %8s %6s%n",
                    row.engine(), row.concurrency(), row.wallSeconds(), row.requestsPerSecond(),
                    row.p50Millis(), row.p99Millis(), row.failures(), row.cpuSeconds(),
                    row.peakThreads(), row.peakHeapMiB(), row.peakRssMiB(), row.peakInFlight(),
                    row.speedup() == null ? "-" : String.format(Locale.ROOT, "%.1fx",
                            row.speedup()),
                    row.efficiency() == null ? "-" : String.format(Locale.ROOT, "%.0f%%",
                            100 * row.efficiency())));
        }
        String errors = rows.stream().filter(row -> !row.errors().isEmpty())
                .map(row -> row.engine() + " -c " + row.concurrency() + ": " + row.errors()
                        .entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n  "));
        if (!errors.isEmpty()) {
            out.append("failures by kind (medians):\n  ").append(errors).append('\n');
        }
        return out.toString();
    }
}
