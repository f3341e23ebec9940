package dev.bulkfetch.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The comparison as a plain-text table, one row per engine and concurrency. A figure that must
 * not be read at face value carries a mark, explained under the table.
 */
final class Table {

    private static final String HEADER = String.format(Locale.ROOT,
            "%-10s %6s %8s %9s %8s %8s %7s %7s %8s %8s %8s %9s %8s %6s",
            "engine", "conc", "wall s", "req/s", "p50 ms", "p99 ms", "failed", "cpu s",
            "threads", "heap MiB", "rss MiB", "in flight", "speedup", "eff");

    private static final String UNRANKED = "!";
    private static final String ABOVE_IDEAL = "*";

    private Table() {
    }

    static String render(List<Row> rows) {
        List<Row> unranked = Verdict.unranked(rows);
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT,
                    "%-10s %6d %8.2f %9.0f %8s %8s %7s %7.2f %8.0f %8.0f %8.0f %9.0f %8s %6s%n",
                    row.engine(), row.concurrency(), row.wallSeconds(), row.requestsPerSecond(),
                    millis(row.p50Millis()), millis(row.p99Millis()),
                    row.failures() + (unranked.contains(row) ? UNRANKED : ""), row.cpuSeconds(),
                    row.peakThreads(), row.peakHeapMiB(), row.peakRssMiB(), row.peakInFlight(),
                    row.speedup() == null ? "-" : String.format(Locale.ROOT, "%.1fx",
                            row.speedup()),
                    efficiency(row)));
        }
        for (String note : notes(rows, unranked)) {
            out.append(note).append('\n');
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

    /** A latency, or "-" for a row that sent no request (0.0 would read as fast). */
    private static String millis(Double latency) {
        return latency == null ? "-" : String.format(Locale.ROOT, "%.1f", latency);
    }

    private static String efficiency(Row row) {
        if (row.efficiency() == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.0f%%", 100 * row.efficiency())
                + (aboveIdeal(row) ? ABOVE_IDEAL : "");
    }

    /** Faster than the ideal, by more than the rounding of the figure shown. */
    private static boolean aboveIdeal(Row row) {
        return row.efficiency() != null && row.efficiency() >= 1.005;
    }

    private static List<String> notes(List<Row> rows, List<Row> unranked) {
        List<String> notes = new ArrayList<>();
        if (!unranked.isEmpty()) {
            notes.add(UNRANKED + " failed more items than the run that failed fewest: not ranked"
                    + " (its time says little of its engine).");
        }
        if (rows.stream().anyMatch(Table::aboveIdeal)) {
            notes.add(ABOVE_IDEAL + " faster than the ideal, so the ideal is off: not every"
                    + " request took the server's delay (an error answered at once, or"
                    + " --server-delay above the server's), or the serial run's latencies"
                    + " overstate it.");
        }
        return notes;
    }
}
