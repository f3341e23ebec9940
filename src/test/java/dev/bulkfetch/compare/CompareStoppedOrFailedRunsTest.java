package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compare stopped by a signal takes its measured run with it and leaves no file of
 * its own; stopped by Ctrl-C, or with a run that dies or cannot start, it reports
 * the runs that finished and names the one that failed.
 */
class CompareStoppedOrFailedRunsTest {

    @TempDir
    Path dir;

    /**
     * A compare stopped by a signal to its own JVM (not the terminal's whole process group)
     * takes its measured run with it: the run went on fetching, alone, for as long as it had.
     * Without --report, it removes its folder in the system's temporary folder too.
     */
    @Test
    void aCompareStoppedBySignalLeavesNoRunBehind() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/long-held/", 40);  // 60 s, one at a time
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            Process compare = dev.bulkfetch.testing.Child.start(dir.resolve("err.txt"),
                    java.util.List.of("-Djava.io.tmpdir=" + tmp), "compare", list.toString(),
                    "--engines", "serial", "--warmup", "0", "--repeat", "1");
            try {
                java.util.concurrent.atomic.AtomicReference<java.util.List<ProcessHandle>> runs =
                        new java.util.concurrent.atomic.AtomicReference<>(java.util.List.of());
                assertThat(dev.bulkfetch.testing.Await.until(() -> {
                    runs.set(compare.descendants().toList());
                    return !runs.get().isEmpty() && server.counter().inFlight() > 0;
                }, compare, java.time.Duration.ofSeconds(60))).isTrue();
                assertThat(CompareFolders.compareFolders(tmp)).as("its temporary folder")
                        .hasSize(1);

                dev.bulkfetch.testing.Child.signal(compare, "INT");

                assertThat(compare.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(dev.bulkfetch.testing.Await.until(() -> runs.get().stream()
                        .noneMatch(ProcessHandle::isAlive), java.time.Duration.ofSeconds(10)))
                        .as("the measured run ended with compare").isTrue();
                assertThat(compare.exitValue()).isEqualTo(130);
                assertThat(CompareFolders.compareFolders(tmp)).as("its temporary folder")
                        .isEmpty();
            } finally {
                compare.destroyForcibly();
                compare.descendants().forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * After review: SIGTERM, SIGHUP or a second Ctrl-C end the JVM without the tidying the
     * first Ctrl-C gets: the unfinished run's empty files (and without --report the temporary
     * folder) were left behind.
     */
    @Test
    void aCompareEndedBySigtermLeavesNoFileOfItsOwnBehind() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/long-held/", 40);  // 60 s, one at a time
            Path report = Files.createDirectories(dir.resolve("report"));
            Process compare = dev.bulkfetch.testing.Child.start(dir.resolve("err.txt"),
                    java.util.List.of(), "compare", list.toString(), "--engines", "serial",
                    "--warmup", "0", "--repeat", "1", "--report", report.toString());
            try {
                assertThat(dev.bulkfetch.testing.Await.until(() -> server.counter().inFlight()
                        > 0, compare, java.time.Duration.ofSeconds(60))).isTrue();

                dev.bulkfetch.testing.Child.signal(compare, "TERM");

                assertThat(compare.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            } finally {
                compare.destroyForcibly();
                compare.descendants().forEach(ProcessHandle::destroyForcibly);
            }
            try (var files = Files.list(report)) {
                assertThat(files.map(f -> f.getFileName().toString())).isEmpty();
            }
        }
    }

    /**
     * One measured run whose JVM died failed the whole compare: the runs that had finished
     * were lost, minutes of them on a long list. They are reported (table, runs.json, page),
     * the runs after it still run, and the failed one is named with its log; compare exits 1.
     */
    @Test
    void aForkedRunThatDiesIsReportedAsFailedBesideTheRunsThatFinished() throws Exception {
        try (TestServer server = new TestServer()) {
            // 1.5 s each: threads and virtual at -c 40 take 1.5 s, serial would take a minute.
            Process compare = compareOfHeldList(server, "threads,serial,virtual");
            Path report = dir.resolve("report");
            Path out = dir.resolve("out.txt");
            Path err = dir.resolve("err.txt");
            try {
                java.util.List<ProcessHandle> runs = serialUnderWay(compare, server);

                // A crash as the OOM killer makes one: SIGKILL, no word in its log.
                runs.getFirst().destroyForcibly();

                assertThat(compare.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(compare.exitValue()).as(Files.readString(err)).isEqualTo(1);
            } finally {
                compare.destroyForcibly();
                compare.descendants().forEach(ProcessHandle::destroyForcibly);
            }
            String table = Files.readString(out);
            assertThat(table.lines().filter(l -> l.startsWith("threads "))).hasSize(1);
            assertThat(table.lines().filter(l -> l.startsWith("virtual "))).hasSize(1);
            assertThat(table).doesNotContainPattern("(?m)^serial +1 ").contains("Verdict: 1 of 3"
                    + " runs failed (serial -c 1 run 1; logs named under the table). Of the runs"
                    + " that finished: ");
            JsonNode json = Fork.JSON.readTree(report.resolve("runs.json").toFile());
            assertThat(json.get("runs")).extracting(run -> run.get("engine").asText())
                    .containsExactly("threads", "virtual");
            assertThat(json.get("failed_runs")).singleElement().satisfies(failed -> {
                assertThat(failed.get("engine").asText()).isEqualTo("serial");
                assertThat(failed.get("exit_code").asInt()).isEqualTo(137);
                Path log = Path.of(failed.get("log").asText());
                assertThat(log.getParent()).isEqualTo(report);
                assertThat(log).content().contains("exited 137");
                assertThat(table).containsPattern("(?m)^serial -c 1 run 1/1 failed: its JVM"
                        + " exited 137 .*; its log: " + java.util.regex.Pattern.quote(
                        log.toString()) + "$");
                assertThat(Files.readString(err)).contains("run 1/1: failed").contains(
                        log.toString());
            });
            assertThat(Files.readString(report.resolve("report.html")))
                    .contains("1 of 3 runs failed").contains("\"label\":\"threads\"")
                    .contains("\"label\":\"virtual\"");
        }
    }

    /**
     * A run whose JVM could not start (its java no program) ended the whole comparison with
     * an exception, the runs that had finished lost with it. It is a failed run as one that
     * dies is: its log says why, the runs after it still run, and compare exits 1 for it.
     */
    @Test
    void aForkedRunThatCannotStartIsReportedAsFailedBesideTheRunsThatFinished()
            throws Exception {
        Path notAProgram = TestServer.write(dir.resolve("java"), "not a program");
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 8);
            Path work = dir.resolve("work");
            Comparison.Plan plan = new Comparison.Plan(list, java.util.List.of(
                    EngineKind.THREADS, EngineKind.SERIAL, EngineKind.VIRTUAL),
                    java.util.List.of(4), 1, 0, null, FetchConfig.builder().build());
            java.io.StringWriter progress = new java.io.StringWriter();

            Comparison.Result result = Comparison.run(plan, new java.io.PrintWriter(progress),
                    work, engine -> engine == EngineKind.SERIAL ? notAProgram : Fork.java());

            assertThat(result.runs()).extracting(Measurement::engine)
                    .containsExactly("threads", "virtual");
            Comparison.FailedRun failed = result.failed().getFirst();
            assertThat(result.failed()).containsExactly(failed);
            assertThat(failed.engine()).isEqualTo("serial");
            assertThat(failed.exitCode()).isNull();
            assertThat(failed.why()).startsWith("its JVM could not start: Cannot run program \""
                    + notAProgram + "\"");
            assertThat(failed.log().getParent()).isEqualTo(work);
            assertThat(Files.readAllLines(failed.log())).first().isEqualTo(
                    "bulkfetch compare: run 1 of serial at -c 1 failed: " + failed.why());
            assertThat(Files.readAllLines(failed.log())).contains("    " + notAProgram);
            assertThat(progress.toString()).contains("run 1/1: failed: its JVM could not start");
            assertThat(Comparison.table(result)).contains("serial -c 1 run 1/1 failed: its JVM"
                    + " could not start: ");
            assertThat(result.verdictWithFailures()).startsWith("1 of 3 runs failed (serial -c 1"
                    + " run 1; ");
            JsonNode json = Fork.JSON.readTree(Report.write(result, work).resolveSibling(
                    "runs.json").toFile());
            assertThat(json.get("failed_runs")).singleElement().satisfies(run ->
                    assertThat(run.get("exit_code").isNull()).isTrue());
        }
    }

    /**
     * An interrupted compare printed nothing of the runs that had finished: a long comparison
     * stopped near its end was lost whole. Ctrl-C now stops the run going on and reports the
     * finished ones, in the table and the report folder, and exits 130.
     */
    @Test
    void aCompareInterruptedReportsTheRunsThatFinished() throws Exception {
        try (TestServer server = new TestServer()) {
            // 1.5 s each: threads at -c 40 take 1.5 s, serial would take a minute.
            Process compare = compareOfHeldList(server, "threads,serial");
            Path report = dir.resolve("report");
            Path out = dir.resolve("out.txt");
            Path err = dir.resolve("err.txt");
            try {
                java.util.List<ProcessHandle> runs = serialUnderWay(compare, server);

                dev.bulkfetch.testing.Child.signal(compare, "INT");

                assertThat(compare.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(compare.exitValue()).isEqualTo(130);
                assertThat(runs).noneMatch(ProcessHandle::isAlive);
                JsonNode json = assertReportedTheThreadsRunAlone("Interrupted", out, report);
                assertThat(Files.readString(err)).contains("compare: interrupted");
                assertThat(Files.readString(report.resolve("report.html")))
                        .contains("Interrupted: of the runs that finished.");
            } finally {
                compare.destroyForcibly();
                compare.descendants().forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * SIGTERM (kill, timeout, systemd) ended compare through the JVM's shutdown: a stack trace
     * ("the JVM is shutting down"), no table of the runs that finished and no runs.json. It
     * now stops as Ctrl-C does, with SIGTERM's own exit code.
     */
    @Test
    void aCompareTerminatedReportsTheRunsThatFinished() throws Exception {
        assertStoppedBy("TERM", 143, "Terminated (SIGTERM)");
    }

    /** As {@link #aCompareTerminatedReportsTheRunsThatFinished}, for a closed terminal. */
    @Test
    void aCompareHungUpReportsTheRunsThatFinished() throws Exception {
        assertStoppedBy("HUP", 129, "Hung up (SIGHUP)");
    }

    /**
     * From review: SIGTERM to compare's whole process group (timeout(1) sends it so, as does
     * systemd stopping its control group) reached the forked run too, which ended on its own,
     * exit 143: when that came before compare's own stop, the run was reported as failed
     * (failed_runs in runs.json, "after 2 of 2 runs") and compare exited 1. The run now leaves
     * the stop to compare.
     */
    @Test
    void aCompareTerminatedWithItsProcessGroupReportsItsRunStoppedNotFailed() throws Exception {
        assertStoppedBy("TERM", 143, "Terminated (SIGTERM)", true);
    }

    /**
     * As {@link #aCompareTerminatedWithItsProcessGroupReportsItsRunStoppedNotFailed}, for a
     * terminal's hang-up, which the kernel sends to the terminal's foreground group.
     */
    @Test
    void aCompareHungUpWithItsProcessGroupReportsItsRunStoppedNotFailed() throws Exception {
        assertStoppedBy("HUP", 129, "Hung up (SIGHUP)", true);
    }

    private void assertStoppedBy(String signal, int exitCode, String said) throws Exception {
        assertStoppedBy(signal, exitCode, said, false);
    }

    /**
     * Stops compare with {@code signal}, sent to its {@code wholeGroup} or to its JVM alone,
     * while its second run is under way, and checks it reported the first as Ctrl-C does, and
     * the second as stopped, not failed, its table opening with {@code said}, and exited
     * {@code exitCode}.
     */
    private void assertStoppedBy(String signal, int exitCode, String said, boolean wholeGroup)
            throws Exception {
        try (TestServer server = new TestServer()) {
            Process compare = compareOfHeldList(server, "threads,serial", wholeGroup);
            Path report = dir.resolve("report");
            Path out = dir.resolve("out.txt");
            Path err = dir.resolve("err.txt");
            try {
                java.util.List<ProcessHandle> runs = serialUnderWay(compare, server);

                if (wholeGroup) {
                    // Whether compare's stop or the run's own end comes first is a race, which
                    // compare mostly won: the run ignoring the signal is what settles it.
                    assertThat(ignoredSignals(runs.getFirst())).as("the run's ignored signals")
                            .contains(1, 2, 15);
                    dev.bulkfetch.testing.Child.signalGroup(compare, signal);
                } else {
                    dev.bulkfetch.testing.Child.signal(compare, signal);
                }

                assertThat(compare.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(compare.exitValue()).as(Files.readString(err)).isEqualTo(exitCode);
                assertThat(runs).noneMatch(ProcessHandle::isAlive);
                assertThat(Files.readString(err)).doesNotContain("Exception")
                        .doesNotContain("\tat ");
                JsonNode json = assertReportedTheThreadsRunAlone(said, out, report);
                assertThat(json.get("failed_runs")).isEmpty();
            } finally {
                compare.destroyForcibly();
                compare.descendants().forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * The numbers of the signals {@code process} ignores, as the kernel keeps them (SigIgn in
     * /proc/PID/status): one ignored is dropped as it is sent, so what the process does with
     * it needs no waiting to see.
     */
    private static java.util.List<Integer> ignoredSignals(ProcessHandle process)
            throws java.io.IOException {
        String mask = Files.readAllLines(Path.of("/proc", Long.toString(process.pid()),
                "status")).stream().filter(line -> line.startsWith("SigIgn:")).findFirst()
                .orElseThrow().substring("SigIgn:".length()).strip();
        java.math.BigInteger bits = new java.math.BigInteger(mask, 16);
        return java.util.stream.IntStream.rangeClosed(1, 64).filter(n -> bits.testBit(n - 1))
                .boxed().toList();
    }

    /**
     * compare in a JVM of its own, on 40 URLs the server holds 1.5 s each, at -c 40, on
     * {@code engines}: its stdout in out.txt, its stderr in err.txt, its report in report/.
     */
    private Process compareOfHeldList(TestServer server, String engines) throws Exception {
        return compareOfHeldList(server, engines, false);
    }

    /** As {@link #compareOfHeldList(TestServer, String)}, leading its own process group. */
    private Process compareOfHeldList(TestServer server, String engines, boolean ownGroup)
            throws Exception {
        Path list = server.urlList(dir, "/long-held/", 40);
        String[] args = {"compare", list.toString(), "--engines", engines, "-c", "40",
                "--warmup", "0", "--report", dir.resolve("report").toString()};
        return ownGroup ? dev.bulkfetch.testing.Child.startWithOutputInOwnGroup(
                dir.resolve("out.txt"), dir.resolve("err.txt"), args)
                : dev.bulkfetch.testing.Child.startWithOutput(dir.resolve("out.txt"),
                dir.resolve("err.txt"), args);
    }

    /**
     * compare's forked run is deaf to the stop signals, so that compare alone ends it: killed
     * outright (SIGKILL, the OOM killer), compare can no longer, and the run went on alone,
     * loading the server for its whole list. It ends with compare.
     */
    @Test
    void aForkedRunEndsWithACompareKilledOutright() throws Exception {
        try (TestServer server = new TestServer()) {
            Process compare = compareOfHeldList(server, "threads,serial");
            java.util.List<ProcessHandle> runs = serialUnderWay(compare, server);

            compare.destroyForcibly();

            try {
                assertThat(runs.getFirst().onExit().get(20, java.util.concurrent.TimeUnit.SECONDS)
                        .isAlive()).isFalse();
            } finally {
                runs.forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * Checks that a compare of threads then serial, stopped during the serial run, reported
     * the threads run alone, its table opening with {@code said}, in the table, runs.json and
     * report.html; returns runs.json.
     */
    private static JsonNode assertReportedTheThreadsRunAlone(String said, Path out, Path report)
            throws Exception {
        String table = Files.readString(out);
        assertThat(table).contains(said + " after 1 of 2 runs: the table has the runs that"
                + " finished.").contains("Verdict: Fastest: threads at -c 40");
        assertThat(table.lines().filter(l -> l.startsWith("threads "))).hasSize(1);
        assertThat(table.lines().filter(l -> l.startsWith("serial "))).isEmpty();
        JsonNode json = Fork.JSON.readTree(report.resolve("runs.json").toFile());
        assertThat(json.get("interrupted").asBoolean()).isTrue();
        assertThat(json.get("runs")).hasSize(1);
        try (var left = Files.list(report)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("runs.json", "report.html");
        }
        return json;
    }

    /**
     * Waits until the threads run of {@link #compareOfHeldList} has finished and the serial one
     * is under way, its JVM then compare's one child, and returns that child.
     */
    private java.util.List<ProcessHandle> serialUnderWay(Process compare, TestServer server)
            throws Exception {
        java.util.concurrent.atomic.AtomicReference<java.util.List<ProcessHandle>> runs =
                new java.util.concurrent.atomic.AtomicReference<>(java.util.List.of());
        assertThat(dev.bulkfetch.testing.Await.until(() -> {
            runs.set(compare.descendants().toList());
            return Files.readString(dir.resolve("err.txt")).contains("threads    -c 40    run 1/1")
                    && server.counter().inFlight() > 0 && runs.get().size() == 1;
        }, compare, java.time.Duration.ofSeconds(60))).as("the serial run under way").isTrue();
        return runs.get();
    }
}
