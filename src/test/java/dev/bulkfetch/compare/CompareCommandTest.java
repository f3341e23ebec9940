package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare} end to end on a small list: table, verdict, JSON and the HTML charts. */
class CompareCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesTheTableTheJsonAndTheHtmlPageWithBothChartsAndReportsFailuresPerEngine()
            throws Exception {
        try (TestServer server = new TestServer()) {
            String text = IntStream.rangeClosed(1, 30).mapToObj(n -> server.url("/ok/" + n))
                    .collect(Collectors.joining("\n", "", "\n"))
                    + server.url("/status/404/1") + "\n"
                    + server.url("/fault/CONNECTION_RESET_BY_PEER/1") + "\n";
            Path list = TestServer.write(dir.resolve("small.txt"), text);
            Path report = dir.resolve("report");

            Cli.Result result = Cli.run("compare", list.toString(), "-c", "2,4", "--warmup", "5",
                    "--report", report.toString());

            assertThat(result.exitCode()).as(result.err()).isZero();
            String out = result.out();
            for (String engine : new String[] {"event-loop", "threads", "virtual"}) {
                assertThat(out).containsPattern("(?m)^" + engine + " +2 ")
                        .containsPattern("(?m)^" + engine + " +4 ");
                assertThat(out).contains(engine + " -c 4: http 1, reset 1");
            }
            assertThat(out).containsPattern("(?m)^serial +1 .* 1\\.0x");
            assertThat(out).contains("Verdict: Fastest: ");

            JsonNode runs = Records.json(Files.readString(report.resolve("runs.json")));
            assertThat(runs.get("runs")).hasSize(7);
            for (JsonNode run : runs.get("runs")) {
                assertThat(run.get("items").asLong()).isEqualTo(32);
                assertThat(run.get("ok").asLong()).isEqualTo(30);
                assertThat(run.get("peak_threads").asInt()).isPositive();
                assertThat(run.get("cpu_seconds").asDouble()).isPositive();
            }
            assertThat(runs.get("rows")).hasSize(7);
            assertThat(runs.get("rows").get(0).has("peak_rss_mib")).isTrue();
            assertThat(runs.get("rows").get(0).has("peak_heap_mib")).isTrue();

            String html = Files.readString(report.resolve("report.html"));
            assertThat(html).contains("<canvas id=\"chart-rps\">")
                    .contains("<canvas id=\"chart-p99\">")
                    .contains("<canvas id=\"chart-threads\">")
                    .contains("<canvas id=\"chart-rss\">")
                    .contains("Chart.js v4")
                    .contains("\"label\":\"event-loop\"")
                    .doesNotContain("/*CHARTS*/").doesNotContain("/*CHART_JS*/");
        }
    }

    /**
     * req/s is one figure wherever it shows: the progress line and runs.json divided every
     * item by the wall time, the table only the requests sent, so a list with input errors
     * (here 12 of 16 lines, which send nothing) showed four times the table's rate.
     */
    @Test
    void theProgressLineRunsJsonAndTheTableShowTheSameRequestsPerSecond() throws Exception {
        try (TestServer server = new TestServer()) {
            String text = IntStream.rangeClosed(1, 4).mapToObj(n -> server.url("/ok/" + n)
                    + "\nnot a url " + n + "\nnot a url either " + n + "\nftp://x/" + n)
                    .collect(Collectors.joining("\n", "", "\n"));
            Path list = TestServer.write(dir.resolve("mixed.txt"), text);
            Path report = dir.resolve("report");

            Cli.Result result = Cli.run("compare", list.toString(), "--engines", "serial",
                    "--warmup", "0", "--report", report.toString());

            assertThat(result.exitCode()).as(result.err()).isZero();
            JsonNode run = Records.json(Files.readString(report.resolve("runs.json")))
                    .get("runs").get(0);
            assertThat(run.get("items").asLong()).isEqualTo(16);
            assertThat(run.get("errors").get("input").asLong()).isEqualTo(12);
            double rate = run.get("requests_per_second").asDouble();
            assertThat(rate).isCloseTo(4 / run.get("wall_seconds").asDouble(),
                    org.assertj.core.data.Offset.offset(1e-6));
            String shown = String.format(java.util.Locale.ROOT, "%.0f", rate);
            assertThat(result.err()).containsPattern("run 1/1: [0-9.]+ s, " + shown + " req/s");
            assertThat(result.out()).containsPattern("(?m)^serial +1 +[0-9.]+ +" + shown + " ");
        }
    }

    /**
     * With nothing answering, every engine fails every item at once: compare named the quickest
     * to fail the fastest and exited 0. It also left its temporary folder behind.
     */
    @Test
    void withNoServerThereIsNoWinnerTheExitCodeIsOneAndNoTemporaryFolderIsLeft()
            throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path list = TestServer.write(dir.resolve("dead.txt"), IntStream.rangeClosed(1, 20)
                .mapToObj(n -> "http://127.0.0.1:" + port + "/" + n)
                .collect(Collectors.joining("\n", "", "\n")));
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.Set<Path> before = compareFolders(tmp);

        Cli.Result result = Cli.run("compare", list.toString(), "-c", "2", "--warmup", "0",
                "--engines", "event-loop,threads");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.out()).contains("Verdict: Nothing to compare: every item failed in"
                + " every run (connect 20). Is the server up?").doesNotContain("Fastest");
        assertThat(compareFolders(tmp)).isEqualTo(before);
    }

    /**
     * The main job, {@code compare} with no list, from a folder other than the repository's:
     * it failed ("input file not found: urls/demo.txt"), though the mock's stubs come from the
     * jar there. The demo list now does too.
     */
    @Test
    void withNoListCompareRunsTheBuiltInDemoFromAnyFolder() throws Exception {
        Path out = dir.resolve("out.txt");
        Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.bulkfetch.cli.Main",
                "compare", "--engines", "event-loop", "-c", "64", "--warmup", "0",
                "--mock-port", "0", "--report", "report")
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        try {
            assertThat(child.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
        assertThat(Files.readString(out)).contains("Verdict: Fastest: event-loop at -c 64");
        assertThat(Files.readString(dir.resolve("err.txt"))).contains("compare: urls/demo.txt");
        // The copies of the list the runs read (the jar's, and one pointing at the mock's
        // port) are not left in the report folder.
        try (var files = Files.list(dir.resolve("report"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("runs.json", "report.html");
        }
    }

    /**
     * After review: tidying a report folder deleted every built-in/ and urls-on-port-*
     * folder in it, made by this run or not: the user's list in one was gone, and so was the
     * copy another compare into the same folder was reading. Only this run's copies go now,
     * and runs.json names the list the user gave, not the copy the runs read.
     */
    @Test
    void aReportFolderKeepsWhatItHeldAndNamesTheListGiven() throws Exception {
        Path report = Files.createDirectories(dir.resolve("report"));
        Path mine = TestServer.write(Files.createDirectories(report.resolve("built-in"))
                .resolve("mylist.txt"), "http://127.0.0.1:8089/items/1\n"
                        + "http://127.0.0.1:8089/items/2\n");
        Path notes = TestServer.write(Files.createDirectories(report.resolve(
                "urls-on-port-1234")).resolve("notes.txt"), "keep");

        Cli.Result result = Cli.run("compare", mine.toString(), "--mock", "--mock-port", "0",
                "--engines", "serial", "--warmup", "0", "--repeat", "1", "--report",
                report.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(mine).exists();
        assertThat(notes).hasContent("keep");
        try (var files = Files.list(report)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(
                    "runs.json", "report.html", "built-in", "urls-on-port-1234");
        }
        assertThat(Records.json(Files.readString(report.resolve("runs.json")))
                .get("plan").get("urls").asText()).isEqualTo(mine.toString());
        Cli.Result portWithoutMock = Cli.run("compare", mine.toString(), "--mock-port", "9");
        assertThat(portWithoutMock.exitCode()).isEqualTo(2);
        assertThat(portWithoutMock.err()).contains("--mock-port").contains("--mock");
    }

    /**
     * After review: each forked run reads the list again, so a list from a pipe (a named
     * one, <(...)) was read by the first run only and every run failed; and stdin was
     * "input file not found: -". A pipe is read once for all the runs; stdin is refused
     * saying why.
     */
    @Test
    void aListFromAPipeIsReadOnceForEveryRunAndStdinIsRefusedSayingWhy() throws Exception {
        Path pipe = dir.resolve("list.pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            try {
                Files.writeString(pipe, "http://127.0.0.1:8089/items/1\n"
                        + "http://127.0.0.1:8089/items/2\n");
            } catch (java.io.IOException e) {
                // Never opened by the run: the assertions below say so.
            }
        });

        Cli.Result result = Cli.run("compare", pipe.toString(), "--mock", "--mock-port", "0",
                "--engines", "serial,threads", "-c", "2", "--warmup", "0", "--repeat", "1");
        writer.join(10_000);

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("Verdict: Fastest");
        Cli.Result stdin = Cli.run("compare", "-", "--engines", "serial");
        assertThat(stdin.exitCode()).isEqualTo(2);
        assertThat(stdin.err()).contains("stdin can be read once");
    }

    private static java.util.Set<Path> compareFolders(Path tmp) throws java.io.IOException {
        try (var files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("bulkfetch-compare"))
                    .collect(Collectors.toSet());
        }
    }

    @Test
    void aCountOutOfRangeIsAUsageErrorNamingItsOption() {
        Cli.Result repeat = Cli.run("compare", "urls/demo.txt", "--repeat", "0");
        Cli.Result warmup = Cli.run("compare", "urls/demo.txt", "--warmup", "-1");
        Cli.Result concurrency = Cli.run("compare", "urls/demo.txt", "-c", "0");

        assertThat(repeat.exitCode()).isEqualTo(2);
        assertThat(repeat.err()).contains("Invalid value for option '--repeat': ");
        assertThat(warmup.err()).contains("Invalid value for option '--warmup': ");
        assertThat(concurrency.err()).contains("Invalid value for option '-c/--concurrency': ");
    }

    @Test
    void aBadEngineNameIsAUsageErrorNamingItsOption() {
        Cli.Result result = Cli.run("compare", "urls/demo.txt", "--engines", "event-loop,warp");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("'--engines'").contains("warp");
    }

    /**
     * Options compare cannot use are usage errors naming the option, with nothing left
     * behind: a port out of range was a stack trace, a report path that is a file a bare path.
     */
    @Test
    void aBadMockPortOrReportFolderIsAUsageErrorNamingItsOption() throws Exception {
        Path file = TestServer.write(dir.resolve("afile"), "x");
        Cli.Result port = Cli.run("compare", "urls/demo.txt", "--mock", "--mock-port", "70000");
        Cli.Result report = Cli.run("compare", "urls/demo.txt", "--report", file.toString());
        Cli.Result empty = Cli.run("compare", "urls/demo.txt", "--report", "");
        Cli.Result probeHelp = Cli.run("probe", "--help");

        assertThat(port.exitCode()).isEqualTo(2);
        assertThat(port.err()).contains("'--mock-port'").contains("0 to 65535")
                .doesNotContain("Exception");
        assertThat(report.exitCode()).isEqualTo(2);
        assertThat(report.err()).contains("'--report'").contains("a file of that name");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("'--report'");
        assertThat(probeHelp.exitCode()).as(probeHelp.err()).isZero();

        // A mock that cannot start (its port taken) left an empty temporary folder.
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.Set<Path> before = compareFolders(tmp);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            Cli.Result busy = Cli.run("compare", "urls/demo.txt", "--mock", "--mock-port",
                    Integer.toString(taken.getLocalPort()));
            assertThat(busy.exitCode()).as(busy.err()).isEqualTo(2);
        }
        assertThat(compareFolders(tmp)).isEqualTo(before);
    }

    /**
     * compare declared its own --mock and --mock-port and checked them in its own order: a
     * port out of range without --mock was "must be 0 to 65535" there and "it is for --mock"
     * in fetch. The two commands share the options now, and say the same.
     */
    @Test
    void aMockPortItCannotUseIsToldAsFetchTellsIt() {
        Path list = TestServer.write(dir.resolve("list.txt"), "http://127.0.0.1:9/x\n");
        for (String[] mock : new String[][] {{"--mock-port", "70000"}, {"--mock-port", "-1"},
                {"--mock-port", "9"}, {"--mock", "--mock-port", "70000"}}) {
            Cli.Result compare = Cli.run(args("compare", list, mock));
            Cli.Result fetch = Cli.run(args("fetch", list, mock));

            assertThat(compare.exitCode()).as(compare.err()).isEqualTo(2);
            assertThat(compare.err().lines().findFirst()).as(String.join(" ", mock))
                    .isEqualTo(fetch.err().lines().findFirst()).get(
                            org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .startsWith("Invalid value for option '--mock-port': ");
        }
    }

    private static String[] args(String command, Path list, String... more) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(command,
                list.toString()), java.util.Arrays.stream(more)).toArray(String[]::new);
    }

    /** A folder given as the list failed each forked run, after the mock had started. */
    @Test
    void aFolderGivenAsTheListIsAUsageError() {
        Cli.Result result = Cli.run("compare", dir.toString(), "--engines", "serial");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("is a folder, not a URL list");
    }

    /**
     * JSON Lines request specs are read as fetch reads them: every spec was an input error,
     * and "Nothing was sent".
     */
    @Test
    void aListOfRequestSpecsIsComparedAsFetchReadsIt() throws Exception {
        try (TestServer server = new TestServer()) {
            String specs = IntStream.rangeClosed(1, 6).mapToObj(n -> "{\"id\": \"s" + n
                    + "\", \"url\": \"" + server.url("/ok/" + n) + "\", \"method\": \"GET\"}")
                    .collect(Collectors.joining("\n", "", "\n"));
            Path list = TestServer.write(dir.resolve("specs.jsonl"), specs);

            Path report = dir.resolve("report");
            Cli.Result result = Cli.run("compare", list.toString(), "--engines",
                    "threads,serial", "-c", "2", "--warmup", "0", "--repeat", "1", "--report",
                    report.toString());

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(result.out()).containsPattern("(?m)^threads +2 .* 0 +")
                    .doesNotContain("input");
            // The page's title names the engines that ran, not all four.
            assertThat(Files.readString(report.resolve("report.html")))
                    .contains("<h1>bulkfetch compare: threads, serial</h1>");
        }
    }

    /**
     * After review: with the mock on another port than 8089, specs' URLs were rewritten as
     * text, so "http:\\/\\/127.0.0.1:8089\\/..." (JSON's escaped slashes) went to port 8089,
     * where fetch sends it to the mock: every such item failed to connect.
     */
    @Test
    void aSpecsUrlIsPointedAtTheMockAsFetchPointsIt() throws Exception {
        Path list = TestServer.write(dir.resolve("specs.jsonl"),
                "{\"url\": \"http:\\/\\/127.0.0.1:8089\\/items\\/1\"}\n"
                + "{\"id\": \"b\", \"url\": \"http://127.0.0.1:8089/items/2\"}\n");

        Cli.Result result = Cli.run("compare", list.toString(), "--mock", "--mock-port", "0",
                "--engines", "serial", "--warmup", "0", "--repeat", "1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).doesNotContain("connect");
    }

    /**
     * A compare stopped by a signal to its own JVM (not the terminal's whole process group)
     * takes its measured run with it: the run went on fetching, alone, for as long as it had.
     */
    @Test
    void aCompareStoppedBySignalLeavesNoRunBehind() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/long-held/", 40);  // 60 s, one at a time
            Process compare = dev.bulkfetch.testing.Child.start(dir.resolve("err.txt"),
                    java.util.List.of(), "compare", list.toString(), "--engines", "serial",
                    "--warmup", "0", "--repeat", "1");
            try {
                java.util.concurrent.atomic.AtomicReference<java.util.List<ProcessHandle>> runs =
                        new java.util.concurrent.atomic.AtomicReference<>(java.util.List.of());
                assertThat(dev.bulkfetch.testing.Await.until(() -> {
                    runs.set(compare.descendants().toList());
                    return !runs.get().isEmpty() && server.counter().inFlight() > 0;
                }, compare, java.time.Duration.ofSeconds(60))).isTrue();

                dev.bulkfetch.testing.Child.signal(compare, "INT");

                assertThat(compare.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(dev.bulkfetch.testing.Await.until(() -> runs.get().stream()
                        .noneMatch(ProcessHandle::isAlive), java.time.Duration.ofSeconds(10)))
                        .as("the measured run ended with compare").isTrue();
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
            Path list = server.urlList(dir, "/long-held/", 40);
            Path report = dir.resolve("report");
            Path out = dir.resolve("out.txt");
            Path err = dir.resolve("err.txt");
            Process compare = dev.bulkfetch.testing.Child.startWithOutput(out, err, "compare",
                    list.toString(), "--engines", "threads,serial,virtual", "-c", "40",
                    "--warmup", "0", "--report", report.toString());
            try {
                java.util.concurrent.atomic.AtomicReference<java.util.List<ProcessHandle>> runs =
                        new java.util.concurrent.atomic.AtomicReference<>(java.util.List.of());
                assertThat(dev.bulkfetch.testing.Await.until(() -> {
                    runs.set(compare.descendants().toList());
                    // Threads finished, serial under way: its JVM is the one alive.
                    return Files.readString(err).contains("threads    -c 40    run 1/1")
                            && server.counter().inFlight() > 0 && runs.get().size() == 1;
                }, compare, java.time.Duration.ofSeconds(60))).isTrue();

                // A crash as the OOM killer makes one: SIGKILL, no word in its log.
                runs.get().getFirst().destroyForcibly();

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
            Path list = server.urlList(dir, "/long-held/", 40);
            Path report = dir.resolve("report");
            Path out = dir.resolve("out.txt");
            Path err = dir.resolve("err.txt");
            Process compare = dev.bulkfetch.testing.Child.startWithOutput(out, err, "compare",
                    list.toString(), "--engines", "threads,serial", "-c", "40", "--warmup", "0",
                    "--report", report.toString());
            try {
                java.util.concurrent.atomic.AtomicReference<java.util.List<ProcessHandle>> runs =
                        new java.util.concurrent.atomic.AtomicReference<>(java.util.List.of());
                assertThat(dev.bulkfetch.testing.Await.until(() -> {
                    runs.set(compare.descendants().toList());
                    // Threads finished, serial under way.
                    return Files.readString(err).contains("threads    -c 40    run 1/1")
                            && server.counter().inFlight() > 0;
                }, compare, java.time.Duration.ofSeconds(60))).isTrue();

                dev.bulkfetch.testing.Child.signal(compare, "INT");

                assertThat(compare.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(compare.exitValue()).isEqualTo(130);
                assertThat(runs.get()).noneMatch(ProcessHandle::isAlive);
                String table = Files.readString(out);
                assertThat(table).contains("Interrupted after 1 of 2 runs: the table has the runs"
                        + " that finished.").contains("Verdict: Fastest: threads at -c 40");
                assertThat(table.lines().filter(l -> l.startsWith("threads "))).hasSize(1);
                assertThat(table.lines().filter(l -> l.startsWith("serial "))).isEmpty();
                assertThat(Files.readString(err)).contains("compare: interrupted");
                JsonNode json = Fork.JSON.readTree(report.resolve("runs.json").toFile());
                assertThat(json.get("interrupted").asBoolean()).isTrue();
                assertThat(json.get("runs")).hasSize(1);
                assertThat(Files.readString(report.resolve("report.html")))
                        .contains("Interrupted: of the runs that finished.");
                try (var left = Files.list(report)) {
                    assertThat(left.map(p -> p.getFileName().toString()))
                            .containsExactlyInAnyOrder("runs.json", "report.html");
                }
            } finally {
                compare.destroyForcibly();
                compare.descendants().forEach(ProcessHandle::destroyForcibly);
            }
        }
    }
}
