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
                100.0, 150.0, 100.0, wall / 2, threads, 50L << 20, 100L << 20, c);
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

    private static Measurement failing(String engine, int c, double wall, long ok) {
        return new Measurement(engine, c, 1, 1000, ok, Map.of("connect", 1000 - ok), wall,
                1.0, 2.0, 1.0, wall / 2, 9, 50L << 20, 100L << 20, c);
    }

    /**
     * A run whose server went away failed fast, and was named the fastest: a run that failed
     * more items than the best one is not ranked, and the comparison is not sound.
     */
    @Test
    void aRunThatFailedMoreThanTheOthersIsNotRanked() {
        List<Row> rows = Comparison.rows(plan(null), List.of(run("serial", 1, 1, 100, 9),
                run("event-loop", 10, 1, 11, 9), run("threads", 10, 1, 10, 20),
                failing("virtual", 10, 0.4, 0)));

        String verdict = Verdict.of(rows);

        assertThat(verdict).startsWith("Not ranked, as they failed more items than the best"
                        + " run's 10: virtual at -c 10 (1000 of 1000 failed).")
                .contains("Fastest: threads at -c 10, 10.00 s, 10.0x serial.");
        assertThat(Verdict.sound(rows)).isFalse();
        // Within 1% of the items of the best run's failures, a run still ranks.
        List<Row> close = Comparison.rows(plan(null), List.of(run("serial", 1, 1, 100, 9),
                failing("event-loop", 10, 11, 980), run("threads", 10, 1, 10, 20)));
        assertThat(Verdict.unranked(close)).isEmpty();
        assertThat(Verdict.sound(close)).isTrue();
        assertThat(Verdict.sound(Comparison.rows(plan(null), RUNS))).isTrue();
        // On a short list, one stray failure is within the slack too.
        Measurement clean = new Measurement("event-loop", 10, 1, 30, 30, Map.of(), 1, 1.0, 2.0,
                1.0, 0.5, 9, 1, 1, 10);
        Measurement stray = new Measurement("threads", 10, 1, 30, 29, Map.of("timeout", 1L), 1,
                1.0, 2.0, 1.0, 0.5, 9, 1, 1, 10);
        assertThat(Verdict.unranked(Comparison.rows(plan(null), List.of(clean, stray))))
                .isEmpty();
    }

    /**
     * After review: speedups and efficiencies were quoted against a serial run the verdict
     * itself would not rank (its server went away: 0.1x, 1%); such a run is no baseline.
     */
    @Test
    void anUnrankedSerialRunIsNoBaseline() {
        List<Row> rows = Comparison.rows(plan(null), List.of(failing("serial", 1, 0.5, 60),
                run("event-loop", 4, 1, 5, 9)));

        assertThat(Verdict.unranked(rows)).extracting(Row::engine).containsExactly("serial");
        Row loop = rows.getFirst();
        assertThat(loop.engine()).isEqualTo("event-loop");
        assertThat(loop.speedup()).isNull();
        assertThat(loop.efficiency()).isNull();
    }

    @Test
    void whenEveryItemFailedOrNothingWasSentThereIsNoWinner() {
        List<Row> dead = Comparison.rows(plan(null), List.of(failing("serial", 1, 0.5, 0),
                failing("event-loop", 10, 0.2, 0), failing("threads", 10, 0.3, 0)));
        assertThat(Verdict.of(dead)).isEqualTo("Nothing to compare: every item failed in every"
                + " run (connect 1000). Is the server up?");
        assertThat(Verdict.sound(dead)).isFalse();

        // After review: not asked when the server answered, only wrongly (protocol errors).
        Measurement garbled = new Measurement("serial", 1, 1, 10, 0, Map.of("protocol", 10L),
                0.5, 1.0, 2.0, 1.0, 0.25, 9, 1, 1, 1);
        assertThat(Verdict.of(Comparison.rows(plan(null), List.of(garbled))))
                .endsWith("(protocol 10).");
        Measurement empty = new Measurement("event-loop", 10, 1, 0, 0, Map.of(), 0.01, 0.0, 0.0,
                0, 0.1, 9, 1, 1, 0);
        List<Row> none = Comparison.rows(plan(null), List.of(empty));
        assertThat(Verdict.of(none)).isEqualTo("Nothing was sent: the list has no URL to fetch.");
        Measurement oneBad = new Measurement("event-loop", 10, 1, 1, 0, Map.of("input", 1L), 0.01,
                null, null, 0, 0.1, 9, 1, 1, 0);
        assertThat(Verdict.of(Comparison.rows(plan(null), List.of(oneBad)))).isEqualTo(
                "Nothing was sent: the list has no URL to fetch (its one item was an input"
                        + " error).");
        assertThat(Verdict.sound(none)).isFalse();
    }

    /**
     * A list of PATCH specs failed as http errors on the event loop and as input errors on
     * threads (which cannot send PATCH), yet the verdict named only the first row's kinds,
     * "(http 100)": where the runs' failures differ, it names each engine's.
     */
    @Test
    void whenEveryItemFailedDifferentlyTheVerdictNamesEachEnginesFailures() {
        Measurement loop = new Measurement("event-loop", 8, 1, 100, 0, Map.of("http", 100L),
                0.14, 1.5, 6.2, 0.2, 0.15, 9, 1, 1, 8);
        Measurement threads = new Measurement("threads", 8, 1, 100, 0, Map.of("input", 100L),
                0.07, 0.0, 0.0, 0, 0.03, 6, 1, 1, 0);

        assertThat(Verdict.of(Comparison.rows(plan(null), List.of(loop, threads))))
                .isEqualTo("Nothing to compare: every item failed in every run (event-loop:"
                        + " http 100; threads: input 100).");

        // An engine whose levels failed alike is named once, one whose levels differ by level;
        // the server is asked after when what was sent could not reach it.
        Measurement loop64 = new Measurement("event-loop", 64, 1, 100, 0,
                Map.of("connect", 60L, "timeout", 40L), 0.1, 1.0, 2.0, 0.1, 0.1, 9, 1, 1, 64);
        Measurement loop8 = new Measurement("event-loop", 8, 1, 100, 0,
                Map.of("connect", 100L), 0.1, 1.0, 2.0, 0.1, 0.1, 9, 1, 1, 8);
        Measurement threads64 = new Measurement("threads", 64, 1, 100, 0,
                Map.of("input", 100L), 0.07, 0.0, 0.0, 0, 0.03, 6, 1, 1, 0);
        assertThat(Verdict.of(Comparison.rows(plan(null),
                List.of(loop8, loop64, threads, threads64))))
                .isEqualTo("Nothing to compare: every item failed in every run (event-loop -c 8:"
                        + " connect 100; event-loop -c 64: connect 60, timeout 40; threads:"
                        + " input 100). Is the server up?");
    }

    @Test
    void theVerdictNamesTheFastestAndWhereThreadsFellBehind() {
        String verdict = Verdict.of(Comparison.rows(plan(null), RUNS));
        assertThat(verdict).startsWith("Fastest: event-loop at -c 100, 2.00 s, 50.0x serial.")
                .contains("Per level, of the parallel engines: -c 10 threads, -c 100 event-loop.")
                .contains("Threads ran out of steam at -c 100: 125 req/s against the event"
                        + " loop's 500, with 110 threads");
    }

    /** A run of 1000 ok items of {@code engine} at {@code c}, at {@code perSecond} req/s. */
    private static Measurement at(String engine, int c, double perSecond) {
        return new Measurement(engine, c, 1, 1000, 1000, Map.of(), 1000 / perSecond, 100.0, 150.0,
                100.0, 1, 9, 50L << 20, 100L << 20, c);
    }

    /**
     * The verdict said only where more concurrency first stopped paying (threads from 753 to
     * 808 req/s, "barely raised") and left out that the next level fell to 470: a fall past
     * the noise is said, naming the levels and figures; a dip within it is no fall.
     */
    @Test
    void theVerdictSaysWhereMoreConcurrencyLoweredThroughput() {
        String verdict = Verdict.of(Comparison.rows(plan(null), List.of(at("serial", 1, 10),
                at("threads", 16, 753), at("threads", 128, 808), at("threads", 1024, 470),
                at("virtual", 16, 900), at("virtual", 128, 600), at("virtual", 1024, 450),
                at("event-loop", 16, 700), at("event-loop", 128, 1400),
                at("event-loop", 1024, 1350))));

        assertThat(verdict).contains("For threads, going from -c 16 to -c 128 barely raised"
                        + " throughput (753 to 808 req/s), and more concurrency lowered it, from"
                        + " 808 req/s at -c 128 to 470 at -c 1024 (-42%).")
                .contains("For virtual, more concurrency lowered throughput, from 900 req/s at"
                        + " -c 16 to 600 at -c 128 (-33%) and 450 at -c 1024 (-50%).")
                .contains("For event-loop, going from -c 128 to -c 1024 did not raise"
                        + " throughput (1400 to 1350 req/s).");
    }

    /** After an exploratory test: the same throughput at two levels was "barely raised". */
    @Test
    void theSameThroughputAtTheNextLevelDidNotRaiseIt() {
        String verdict = Verdict.of(Comparison.rows(plan(null), List.of(at("serial", 1, 10),
                at("threads", 16, 800), at("threads", 128, 800))));

        assertThat(verdict).contains("For threads, going from -c 16 to -c 128 did not raise"
                + " throughput (800 to 800 req/s)");
    }

    /** The verdict named a parallel run fastest at 0.4x serial: serial was, and it says so. */
    @Test
    void whenNoParallelRunBeatsSerialSerialIsTheFastest() {
        String verdict = Verdict.of(Comparison.rows(plan(null), List.of(
                run("serial", 1, 1, 0.55, 9), run("threads", 4, 1, 0.67, 12),
                run("event-loop", 4, 1, 0.9, 9))));
        assertThat(verdict).startsWith("Fastest: serial, 0.55 s: no parallel run beat it (the"
                + " best, threads at -c 4, took 0.67 s).");
    }

    /**
     * req/s is the requests sent over the median wall: input errors counted as requests
     * (12 items, 4 sent, showed 459 req/s for 0.03 s), and over two runs the median of their
     * rates was 24% off the median run's.
     */
    @Test
    void requestsPerSecondAreTheRequestsSentOverTheMedianWall() {
        List<Row> rows = Comparison.rows(plan(null), List.of(run("serial", 1, 1, 100, 9),
                run("threads", 10, 1, 0.6, 20), run("threads", 10, 2, 0.75, 20),
                new Measurement("event-loop", 10, 1, 12, 4, Map.of("input", 8L), 0.03, 1.0,
                        2.0, 0.1, 0.02, 9, 1, 1, 4)));
        Row threads = rows.stream().filter(r -> r.engine().equals("threads")).findFirst()
                .orElseThrow();
        assertThat(threads.requestsPerSecond()).isCloseTo(1000 / 0.675,
                org.assertj.core.data.Offset.offset(0.01));
        Row loop = rows.getFirst();
        assertThat(loop.requestsPerSecond()).isCloseTo(4 / 0.03,
                org.assertj.core.data.Offset.offset(0.01));
    }

    /**
     * A list with nothing to send timed only each JVM, yet the table showed a speedup over
     * serial and an efficiency: they are left out, as "-".
     */
    @Test
    void aRunThatSentNothingHasNoSpeedupNorEfficiency() {
        Measurement serial = new Measurement("serial", 1, 1, 3, 0, Map.of("input", 3L), 0.02,
                0.0, 0.0, 0, 0, 9, 1, 1, 0);
        Measurement loop = new Measurement("event-loop", 10, 1, 3, 0, Map.of("input", 3L), 0.01,
                0.0, 0.0, 0, 0, 9, 1, 1, 0);
        for (Duration delay : java.util.Arrays.asList(Duration.ofMillis(100), null)) {
            List<Row> rows = Comparison.rows(plan(delay), List.of(serial, loop));

            assertThat(rows).allSatisfy(row -> {
                assertThat(row.speedup()).isNull();
                assertThat(row.efficiency()).isNull();
            });
            assertThat(Table.render(rows).lines().skip(1).limit(2))
                    .allSatisfy(line -> assertThat(line).endsWith("-      -"));
        }
        // Nor is a run's speedup quoted against a serial run that sent nothing.
        List<Row> rows = Comparison.rows(plan(null), List.of(serial,
                run("threads", 10, 1, 10, 20)));
        assertThat(rows.getFirst().speedup()).isNull();
        assertThat(rows.getFirst().efficiency()).isNull();
    }

    /**
     * The table did not show which rows the verdict left unranked, nor that an efficiency above
     * 100% means the ideal was wrong: both carry a mark, explained under the table.
     */
    @Test
    void theTableMarksUnrankedRowsAndAnEfficiencyAboveTheIdeal() {
        // 1000 items at -c 100 and 100 ms: ideal 1.0 s, so 0.8 s is 125%.
        List<Row> rows = Comparison.rows(plan(Duration.ofMillis(100)), List.of(
                run("serial", 1, 1, 100, 9), run("threads", 100, 1, 0.8, 110),
                run("event-loop", 100, 1, 2, 9), failing("virtual", 100, 0.3, 0)));

        String table = Table.render(rows);

        assertThat(table.lines().filter(l -> l.startsWith("threads"))).singleElement()
                .satisfies(line -> assertThat(line).endsWith(" 125%*"));
        assertThat(table.lines().filter(l -> l.startsWith("event-loop"))).singleElement()
                .satisfies(line -> assertThat(line).endsWith(" 50%").contains(" 10 "));
        assertThat(table.lines().filter(l -> l.startsWith("virtual"))).singleElement()
                .satisfies(line -> assertThat(line).contains(" 1000! "));
        assertThat(table).contains("\n! failed more items than the run that failed fewest: not"
                + " ranked").contains("\n* faster than the ideal, so the ideal is off");

        String plain = Table.render(Comparison.rows(plan(Duration.ofMillis(100)),
                List.of(run("serial", 1, 1, 100, 9), run("event-loop", 100, 1, 2, 9))));
        assertThat(plain).doesNotContain("!").doesNotContain("*");
    }

    /** --repeat 2000000000 over three levels overflowed: "Interrupted after 14 of 1705032704". */
    @Test
    void thePlannedRunsAreCountedPastTheIntRange() {
        Comparison.Plan plan = new Comparison.Plan(Path.of("list.txt"), List.of(EngineKind.THREADS,
                EngineKind.SERIAL), List.of(10, 100), 2_000_000_000, 0, null,
                FetchConfig.builder().build());

        assertThat(Comparison.plannedRuns(plan)).isEqualTo(6_000_000_000L);
    }
}
