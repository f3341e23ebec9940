package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.EngineKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Medians, speedups, efficiency and the verdict, from made-up runs. */
class ComparisonRowsTest {

    private static Measurement run(String engine, int c, int repeat, double wall, int threads) {
        return new Measurement(engine, c, repeat, 1000, 990, Map.of("http", 10L), wall,
                1000 / wall, 100, 150, 100.0, wall / 2, threads, 50L << 20, 100L << 20, c);
    }

    private static Comparison.Plan plan(Duration delay) {
        return new Comparison.Plan(Path.of("list.txt"), List.of(EngineKind.values()),
                List.of(10, 100), 3, 0, delay, FetchConfig.builder().build());
    }

    private static final List<Measurement> RUNS = List.of(
            run("serial", 1, 1, 100, 9), run("serial", 1, 2, 110, 9), run("serial", 1, 3, 90, 9),
            run("event-loop", 10, 1, 11, 9), run("event-loop", 10, 2, 10, 9),
            run("event-loop", 10, 3, 50, 9),
            run("event-loop", 100, 1, 2, 9), run("event-loop", 100, 2, 2, 9),
            run("event-loop", 100, 3, 2, 9),
            run("threads", 10, 1, 10, 20), run("threads", 10, 2, 10, 20),
            run("threads", 10, 3, 10, 20),
            run("threads", 100, 1, 8, 110), run("threads", 100, 2, 8, 110),
            run("threads", 100, 3, 8, 110));

    @Test
    void rowsAreMediansWithSpeedupOverSerialAndEfficiencyAgainstTheKnownDelay() {
        List<Row> rows = Comparison.rows(plan(Duration.ofMillis(100)), RUNS);

        assertThat(rows).extracting(Row::engine).containsExactly("event-loop", "event-loop",
                "threads", "threads", "serial");
        Row loop10 = rows.getFirst();
        assertThat(loop10.wallSeconds()).isEqualTo(11);
        assertThat(loop10.speedup()).isEqualTo(100 / 11.0);
        // ceil(990 sent... 1000 items, none input errors) / 10 = 100 waves x 0.1 s = 10 s ideal
        assertThat(loop10.efficiency()).isEqualTo(10 / 11.0);
        Row serial = rows.getLast();
        assertThat(serial.speedup()).isEqualTo(1.0);
        assertThat(serial.efficiency()).isEqualTo(100 / 100.0);
    }

    @Test
    void withoutAKnownDelayTheIdealIsTheSerialLatencySumOverTheConcurrency() {
        List<Row> rows = Comparison.rows(plan(null), RUNS);
        Row threads100 = rows.get(3);
        assertThat(threads100.efficiency()).isEqualTo((100.0 / 100) / 8);
    }

    @Test
    void theVerdictNamesTheFastestAndWhereThreadsFellBehind() {
        String verdict = Verdict.of(Comparison.rows(plan(null), RUNS));
        assertThat(verdict).startsWith("Fastest: event-loop at -c 100, 2.00 s, 50.0x serial.")
                .contains("Per level: -c 10 threads, -c 100 event-loop.")
                .contains("Threads ran out of steam at -c 100: 125 req/s against the event"
                        + " loop's 500, with 110 threads");
    }
}
