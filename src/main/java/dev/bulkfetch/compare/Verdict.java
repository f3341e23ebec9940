package dev.bulkfetch.compare;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The comparison in a few plain sentences, computed from the rows: the fastest engine overall
 * and at each concurrency, the most CPU-efficient one, where the thread engine fell behind, and
 * where more concurrency stopped paying or cost throughput.
 */
final class Verdict {

    /** Going up a level must gain this much throughput to count as helping. */
    private static final double HELPFUL_GAIN = 1.10;

    /**
     * A level's throughput must fall below this share of a lower level's to count as lowered
     * by the concurrency: the margin for noise that a gain must clear, the other way.
     */
    private static final double NOTABLE_FALL = 1 / HELPFUL_GAIN;

    private Verdict() {
    }

    /**
     * Whether {@code rows} can be ranked at all: every run fetched about as much as the best
     * one, and something came back ok. A run that failed where others did not did less work
     * (a refused connection is quick), so its time says nothing of its engine.
     */
    static boolean sound(List<Row> rows) {
        return !rows.isEmpty() && unranked(rows).isEmpty()
                && rows.stream().anyMatch(Row::anyOk);
    }

    /**
     * The rows that failed more items than the run that failed fewest, beyond a slack of 1% of
     * the items, and at least one (a stray timeout on a real server should not unrank an
     * engine, nor on a short list make compare exit 1).
     */
    static List<Row> unranked(List<Row> rows) {
        long fewest = rows.stream().mapToLong(Row::failures).min().orElse(0);
        return rows.stream().filter(r -> r.failures() > fewest + Math.max(1, r.items() / 100))
                .toList();
    }

    static String of(List<Row> rows) {
        if (rows.stream().noneMatch(r -> r.sent() > 0)) {
            return "Nothing was sent: the list has no URL to fetch"
                    + (rows.isEmpty() || rows.getFirst().items() == 0 ? "."
                    : rows.getFirst().items() == 1 ? " (its one item was an input error)."
                    : " (each of its " + rows.getFirst().items() + " items was an input error).");
        }
        if (rows.stream().noneMatch(Row::anyOk)) {
            // Asked only when the server may be down: not after protocol or too_large errors.
            // Input errors sent nothing, so they say nothing of the server.
            boolean unreachable = rows.stream().flatMap(r -> r.errors().keySet().stream())
                    .filter(kind -> !kind.equals("input"))
                    .allMatch(kind -> kind.equals("connect") || kind.equals("reset")
                            || kind.equals("timeout"));
            return "Nothing to compare: every item failed in every run (" + failures(rows)
                    + ")." + (unreachable ? " Is the server up?" : "");
        }
        List<Row> unranked = unranked(rows);
        List<String> sentences = new ArrayList<>();
        if (!unranked.isEmpty()) {
            long fewest = rows.stream().mapToLong(Row::failures).min().getAsLong();
            sentences.add("Not ranked, as they failed more items than the best run's " + fewest
                    + ": " + unranked.stream().map(r -> String.format(Locale.ROOT,
                            "%s at -c %d (%d of %d failed)", r.engine(), r.concurrency(),
                            r.failures(), r.items())).collect(Collectors.joining(", "))
                    + ".");
        }
        List<Row> parallel = rows.stream().filter(r -> !r.engine().equals("serial"))
                .filter(r -> !unranked.contains(r)).toList();
        if (parallel.isEmpty()) {
            sentences.add(rows.stream().anyMatch(r -> !r.engine().equals("serial"))
                    ? "No parallel run is left to rank."
                    : "Only the serial baseline ran: nothing to compare it with.");
            return String.join(" ", sentences);
        }
        boolean serialRanked = rows.stream()
                .anyMatch(r -> r.engine().equals("serial") && !unranked.contains(r));
        Row best = parallel.stream().min(Comparator.comparingDouble(Row::wallSeconds)).get();
        Row serial = rows.stream().filter(r -> r.engine().equals("serial"))
                .filter(r -> !unranked.contains(r)).findFirst().orElse(null);
        if (serial != null && serial.wallSeconds() <= best.wallSeconds()) {
            // A parallel run slower than one request at a time is no winner: the list is too
            // short for its start-up, or the server serves one at a time.
            sentences.add(String.format(Locale.ROOT, "Fastest: serial, %.2f s: no parallel "
                            + "run beat it (the best, %s at -c %d, took %.2f s).",
                    serial.wallSeconds(), best.engine(), best.concurrency(),
                    best.wallSeconds()));
        } else {
            sentences.add(String.format(Locale.ROOT, "Fastest: %s at -c %d, %.2f s%s.",
                    best.engine(), best.concurrency(), best.wallSeconds(),
                    best.speedup() == null || !serialRanked ? ""
                            : String.format(Locale.ROOT, ", %.1fx serial", best.speedup())));
        }

        Map<Integer, List<Row>> byLevel = parallel.stream().collect(Collectors.groupingBy(
                Row::concurrency, TreeMap::new, Collectors.toList()));
        if (byLevel.size() > 1 || byLevel.values().iterator().next().size() > 1) {
            // Of the parallel engines: serial is the baseline, whose one-at-a-time run beats
            // them all at -c 1 on a short list; the "Fastest" sentence says when it does.
            sentences.add("Per level, of the parallel engines: " + byLevel.entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "-c %d %s", e.getKey(), e.getValue()
                            .stream().min(Comparator.comparingDouble(Row::wallSeconds)).get()
                            .engine()))
                    .collect(Collectors.joining(", ")) + ".");
        }

        parallel.stream().filter(r -> r.sent() > 0)
                .min(Comparator.comparingDouble(Row::cpuMillisPerRequest))
                .ifPresent(frugal -> sentences.add(String.format(Locale.ROOT,
                        "Least CPU per request: %s at -c %d, %.3f ms.", frugal.engine(),
                        frugal.concurrency(), frugal.cpuMillisPerRequest())));

        threadsFallBehind(byLevel).ifPresent(sentences::add);
        sentences.addAll(diminishingReturns(parallel));
        return String.join(" ", sentences);
    }

    /**
     * The failures by kind: once when every run failed alike, else each engine's (each of its
     * levels' where they differ), as an engine may fail where another cannot even send (a
     * PATCH is an input error on the JDK's client).
     */
    private static String failures(List<Row> rows) {
        if (rows.stream().map(Row::errors).distinct().count() == 1) {
            return kinds(rows.getFirst());
        }
        Map<String, List<Row>> byEngine = rows.stream().collect(Collectors.groupingBy(
                Row::engine, java.util.LinkedHashMap::new, Collectors.toList()));
        List<String> parts = new ArrayList<>();
        byEngine.forEach((engine, levels) -> {
            if (levels.stream().map(Row::errors).distinct().count() == 1) {
                parts.add(engine + ": " + kinds(levels.getFirst()));
            } else {
                levels.forEach(r -> parts.add(engine + " -c " + r.concurrency() + ": "
                        + kinds(r)));
            }
        });
        return String.join("; ", parts);
    }

    private static String kinds(Row row) {
        return row.errors().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** The first level at which threads trail the event loop by more than a quarter. */
    private static java.util.Optional<String> threadsFallBehind(Map<Integer, List<Row>> byLevel) {
        for (Map.Entry<Integer, List<Row>> level : byLevel.entrySet()) {
            Row threads = find(level.getValue(), "threads");
            Row loop = find(level.getValue(), "event-loop");
            if (threads != null && loop != null
                    && threads.requestsPerSecond() < 0.75 * loop.requestsPerSecond()) {
                return java.util.Optional.of(String.format(Locale.ROOT,
                        "Threads ran out of steam at -c %d: %.0f req/s against the event loop's"
                                + " %.0f, with %.0f threads and %.0f MiB resident.",
                        level.getKey(), threads.requestsPerSecond(), loop.requestsPerSecond(),
                        threads.peakThreads(), threads.peakRssMiB()));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * For each engine, the first level where more concurrency stopped paying, and each level
     * where it cost throughput: the fall, larger news than a stall, was left out when the
     * level before it had barely gained (753, 808, then 470 req/s).
     */
    private static List<String> diminishingReturns(List<Row> parallel) {
        List<String> out = new ArrayList<>();
        Map<String, List<Row>> byEngine = parallel.stream().collect(Collectors.groupingBy(
                Row::engine, java.util.LinkedHashMap::new, Collectors.toList()));
        for (Map.Entry<String, List<Row>> engine : byEngine.entrySet()) {
            List<Row> levels = engine.getValue().stream()
                    .sorted(Comparator.comparingInt(Row::concurrency)).toList();
            Map<Row, List<Row>> falls = falls(levels);
            String stall = stall(levels, falls);
            if (stall == null && falls.isEmpty()) {
                continue;
            }
            StringBuilder said = new StringBuilder("For ").append(engine.getKey());
            if (stall != null) {
                said.append(", ").append(stall);
            }
            if (!falls.isEmpty()) {
                said.append(stall == null ? ", more concurrency lowered throughput, "
                        : ", and more concurrency lowered it, ");
                said.append(falls.entrySet().stream().map(fall -> fall(fall.getKey(),
                        fall.getValue())).collect(Collectors.joining("; ")));
            }
            out.add(said.append('.').toString());
        }
        return out;
    }

    /**
     * Where going up a level first failed to gain, in words; {@code null} when every level
     * gained, or when that level is one of the {@code falls}, said with them.
     */
    private static String stall(List<Row> levels, Map<Row, List<Row>> falls) {
        for (int i = 1; i < levels.size(); i++) {
            Row lower = levels.get(i - 1);
            Row higher = levels.get(i);
            if (higher.requestsPerSecond() < HELPFUL_GAIN * lower.requestsPerSecond()) {
                if (falls.values().stream().anyMatch(fallen -> fallen.contains(higher))) {
                    return null;
                }
                return String.format(Locale.ROOT, "going from -c %d to -c %d %s throughput"
                                + " (%.0f to %.0f req/s)", lower.concurrency(),
                        // As the figures read: 800 to 800 req/s did not raise it.
                        higher.concurrency(), Math.round(higher.requestsPerSecond())
                                <= Math.round(lower.requestsPerSecond()) ? "did not raise"
                                : "barely raised",
                        lower.requestsPerSecond(), higher.requestsPerSecond());
            }
        }
        return null;
    }

    /**
     * The levels whose throughput fell past the noise below the best level under them, by
     * that best level, in order of concurrency.
     */
    private static Map<Row, List<Row>> falls(List<Row> levels) {
        Map<Row, List<Row>> falls = new java.util.LinkedHashMap<>();
        Row best = levels.getFirst();
        for (Row row : levels.subList(1, levels.size())) {
            if (row.requestsPerSecond() > best.requestsPerSecond()) {
                best = row;
            } else if (row.requestsPerSecond() < NOTABLE_FALL * best.requestsPerSecond()) {
                falls.computeIfAbsent(best, b -> new ArrayList<>()).add(row);
            }
        }
        return falls;
    }

    /** "from 808 req/s at -c 128 to 470 at -c 1024 (-42%)", and any further level fallen. */
    private static String fall(Row best, List<Row> fallen) {
        return String.format(Locale.ROOT, "from %.0f req/s at -c %d to ",
                best.requestsPerSecond(), best.concurrency())
                + fallen.stream().map(row -> String.format(Locale.ROOT, "%.0f at -c %d (-%.0f%%)",
                        row.requestsPerSecond(), row.concurrency(),
                        100 * (1 - row.requestsPerSecond() / best.requestsPerSecond())))
                .collect(Collectors.joining(" and "));
    }

    private static Row find(List<Row> rows, String engine) {
        return rows.stream().filter(r -> r.engine().equals(engine)).findFirst().orElse(null);
    }
}
