package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forked runs measure each engine's own process: threads cost threads, the loop does not. */
class ForkedMeasurementTest {

    @TempDir
    Path dir;

    @Test
    void threadsAtC256ReportMorePeakThreadsThanTheEventLoop() throws Exception {
        try (TestServer server = new TestServer()) {
            // The server holds the first requests until 256 are in flight, so the peak does not
            // depend on how fast this machine starts 256 threads or connections.
            Path list = server.urlList(dir, "/gather/256/", 512);
            Measurement threads = Fork.run(config(EngineKind.THREADS), list, 0, 1,
                    dir.resolve("threads.log"));
            server.counter().reset();
            Measurement loop = Fork.run(config(EngineKind.EVENT_LOOP), list, 0, 2,
                    dir.resolve("loop.log"));

            assertThat(threads.ok()).isEqualTo(512);
            assertThat(loop.ok()).isEqualTo(512);
            assertThat(threads.peakInFlight()).isEqualTo(256);
            assertThat(loop.peakInFlight()).isEqualTo(256);
            assertThat(threads.peakThreads()).isGreaterThan(256);
            assertThat(loop.peakThreads()).isLessThan(64);
            // The run's number, given to the child, comes back in its measurement.
            assertThat(threads.repeat()).isEqualTo(1);
            assertThat(loop.repeat()).isEqualTo(2);
        }
    }

    /**
     * A list of PATCH specs on threads (the JDK's client cannot send PATCH) sends nothing,
     * yet the run reported 1 in flight where fetch reports 0: each item went to the engine,
     * counted as on the wire, to be refused there. It is refused as fetch refuses it, as its
     * input line, before anything is sent.
     */
    @Test
    void itemsTheEngineCannotSendAreInputErrorsAndNeverInFlight() throws Exception {
        try (TestServer server = new TestServer()) {
            StringBuilder specs = new StringBuilder();
            for (int n = 1; n <= 20; n++) {
                specs.append("{\"url\": \"").append(server.url("/ok/" + n))
                        .append("\", \"method\": \"PATCH\", \"body\": {\"a\": 1}}\n");
            }
            Path list = TestServer.write(dir.resolve("patch.jsonl"), specs.toString());
            FetchConfig config = FetchConfig.builder().engine(EngineKind.THREADS)
                    .concurrency(8).build();

            Measurement threads = Fork.run(config, list, 5, 1, dir.resolve("threads.log"));

            assertThat(threads.items()).isEqualTo(20);
            assertThat(threads.errors()).isEqualTo(java.util.Map.of("input", 20L));
            assertThat(threads.peakInFlight()).isZero();
        }
    }

    /**
     * A failed run's log opened on its command, one line of thousands of columns: which run
     * failed and why came after it. Now they come first, then what the run wrote, then the
     * command one argument a line.
     */
    @Test
    void aFailedRunsLogSaysWhichRunFailedAndWhyBeforeItsCommand() throws Exception {
        Path missing = dir.resolve("no-such-list.txt");
        FetchConfig config = FetchConfig.builder().engine(EngineKind.SERIAL).concurrency(1)
                .build();

        Fork.Failed failed = catchThrowableOfType(Fork.Failed.class,
                () -> Fork.run(config, missing, 0, 2, dir.resolve("runs.log")));

        assertThat(failed.exitCode()).isNotZero();
        List<String> lines = Files.readAllLines(failed.log());
        assertThat(lines.getFirst()).isEqualTo("bulkfetch compare: run 2 of serial at -c 1"
                + " failed: its JVM exited " + failed.exitCode());
        assertThat(lines.get(1)).isEqualTo("Its list: " + missing);
        assertThat(lines.get(2)).startsWith("Its settings: --engine serial -c 1 --warmup 0"
                + " --connect-timeout ");
        assertThat(lines).containsSubsequence("Its standard error:", "Its command, one"
                + " argument a line:", "    dev.bulkfetch.cli.Main", "    probe",
                "    " + missing, "    --engine", "    serial", "    --run-number", "    2");
        // What the run wrote itself sits between the two.
        assertThat(String.join("\n", lines)).containsPattern("(?s)Its standard error:\n.*"
                + "no-such-list.*\n\nIts command");
        assertThat(lines).allMatch(line -> line.length() < 200
                || line.equals("    " + System.getProperty("java.class.path")));
    }

    /**
     * A run that measured keeps its measurement when its standard error cannot be moved into
     * the shared log (here a folder in the log's place): what it wrote stays in its own log.
     */
    @Test
    void aRunThatMeasuredKeepsItsMeasurementWhenTheSharedLogCannotBeWritten() throws Exception {
        Measurement measured = new Measurement("serial", 1, 3, 2, 2, java.util.Map.of(), 0.5,
                1.0, 2.0, 0.1, 0.2, 5, 1024, 2048, 1);
        // A stand-in for java: it measures nothing, but says so as a run does.
        Path java = dir.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'a warning of the run' >&2\necho '"
                + Fork.JSON.writeValueAsString(measured) + "'\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        Path log = Files.createDirectory(dir.resolve("runs.log"));
        FetchConfig config = FetchConfig.builder().engine(EngineKind.SERIAL).concurrency(1)
                .build();

        Measurement kept = Fork.run(java, config, dir.resolve("list.txt"), 0, 3, log);

        assertThat(kept).isEqualTo(measured);
        try (var files = Files.list(dir)) {
            List<Path> runLogs = files.filter(f -> f.getFileName().toString()
                    .matches("measured-run-serial-c1-3-.*\\.log")).toList();
            assertThat(runLogs).hasSize(1);
            assertThat(Files.readString(runLogs.getFirst())).isEqualTo("a warning of the run\n");
        }
    }

    private static FetchConfig config(EngineKind engine) {
        return FetchConfig.builder().engine(engine).concurrency(256).build();
    }
}
