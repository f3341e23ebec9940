package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The launcher's start-up cache (JDK 25's ahead-of-time cache): recorded once per
 * jar and engine, reused, recorded again for a rebuilt jar, tried once when
 * recording fails or is stopped, recorded by one of several starts at once, never
 * for --help, and off on request.
 */
class StartUpCacheTest extends StandInJar {

    @Test
    void theCacheIsRecordedOnceAndUsedByLaterStarts() throws Exception {
        Result first = launch(Map.of(), "hello");
        assertThat(first.stderr()).contains(RECORDING);
        assertThat(first.stdout()).isEqualTo("ran hello\n");
        assertThat(dir.resolve("app.jar.aot")).isNotEmptyFile();

        Result second = launch(Map.of("BULKFETCH_JAVA_OPTS", "-Xlog:aot=info"), "hello");
        assertThat(second.stderr()).doesNotContain(RECORDING);
        assertThat(second.stdout()).contains("Opened AOT cache " + jar + ".aot")
                .contains("ran hello\n");
    }

    /**
     * JDK 25 records method profiles and compilations into the cache for C2, and replays them
     * on a thread of its own at every start: all of it for nothing under C1 alone, and one URL
     * started about 17 ms later with it (README, Performance). So the recording keeps none,
     * and a start reads none, while it still opens the cache.
     */
    @Test
    void theCacheIsRecordedWithoutTrainingDataAndAStartReplaysNone() throws Exception {
        Path recorded = dir.resolve("training-option.txt");
        Result first = launch(Map.of("APP_TRAINING_OPTION", "AOTRecordTraining",
                "APP_TRAINING_OPTION_TO", recorded.toString()), "hello");
        assertThat(first.stderr()).contains(RECORDING);
        assertThat(Files.readString(recorded)).isEqualTo("AOTRecordTraining=false");

        Result replay = launch(Map.of(), "vm-option", "AOTReplayTraining");
        Result cache = launch(Map.of(), "vm-option", "AOTCache");
        assertThat(replay.stdout()).isEqualTo("false\n");
        assertThat(cache.stdout()).isEqualTo(jar + ".aot\n");
    }

    @Test
    void eachEngineOfFetchHasACacheOfItsOwn() throws Exception {
        Result threads = launch(Map.of(), "fetch", "list.txt", "-e", "threads");
        Result virtual = launch(Map.of(), "fetch", "--engine=virtual", "list.txt");
        Result again = launch(Map.of("BULKFETCH_JAVA_OPTS", "-Xlog:aot=info"), "fetch",
                "list.txt", "--engine", "threads");
        Result eventLoop = launch(Map.of("BULKFETCH_JAVA_OPTS", "-Xlog:aot=info"), "fetch",
                "list.txt");

        assertThat(threads.stderr()).contains(RECORDING + " for this jar and the threads engine");
        assertThat(virtual.stderr()).contains(RECORDING + " for this jar and the virtual engine");
        assertThat(dir.resolve("app.jar.threads.aot")).isNotEmptyFile();
        assertThat(dir.resolve("app.jar.virtual.aot")).isNotEmptyFile();
        assertThat(again.stderr()).doesNotContain(RECORDING);
        assertThat(again.stdout()).contains("Opened AOT cache " + jar + ".threads.aot")
                .contains("ran fetch list.txt --engine threads\n");
        assertThat(eventLoop.stderr()).contains(RECORDING + " for this jar and the event-loop");
        assertThat(eventLoop.stdout()).contains("Opened AOT cache " + jar + ".aot");
    }

    /**
     * A fetch with -q says nothing of the recording, as it keeps its own notes off stderr: a
     * cron job that mails stderr got mail after every rebuild (exploratory test). Flags
     * clustered too, as the launcher reads them for the engine.
     */
    @Test
    void aQuietFetchRecordsTheCacheWithoutANote() throws Exception {
        Result quiet = launch(Map.of(), "fetch", "list.txt", "-q", "-e", "threads");
        Result clustered = launch(Map.of(), "fetch", "-kqe", "virtual", "list.txt");
        Result long_ = launch(Map.of(), "fetch", "--quiet", "list.txt", "-e", "serial");
        Result loud = launch(Map.of(), "fetch", "list.txt");

        assertThat(quiet.stderr()).doesNotContain(RECORDING);
        assertThat(clustered.stderr()).doesNotContain(RECORDING);
        assertThat(long_.stderr()).doesNotContain(RECORDING);
        assertThat(dir.resolve("app.jar.threads.aot")).isNotEmptyFile();
        assertThat(dir.resolve("app.jar.virtual.aot")).isNotEmptyFile();
        assertThat(dir.resolve("app.jar.serial.aot")).isNotEmptyFile();
        assertThat(loud.stderr()).contains(RECORDING + " for this jar and the event-loop");
    }

    /**
     * Every start reads the directory of the jar it runs, WireMock most of it: a fetch that
     * needs no mock runs the jar the build makes without it, with caches of its own.
     */
    @Test
    void aFetchWithoutTheMockRunsTheJarWithoutWireMockBesideTheFullOne() throws Exception {
        Path fetchJar = dir.resolve("app-fetch.jar");
        Files.copy(jar, fetchJar);
        Map<String, String> classPath = Map.of("APP_PRINT_CLASS_PATH", "1");

        assertThat(launch(classPath, "fetch", "list.txt").stdout()).isEqualTo(fetchJar + "\n");
        assertThat(dir.resolve("app-fetch.jar.aot")).isNotEmptyFile();
        assertThat(dir.resolve("app.jar.aot")).doesNotExist();
        assertThat(launch(classPath, "train", "--engine", "threads").stdout())
                .isEqualTo(fetchJar + "\n");
        // The mock needs WireMock, and an argument file may ask for it unseen.
        assertThat(launch(classPath, "fetch", "list.txt", "--mock").stdout())
                .isEqualTo(jar + "\n");
        assertThat(launch(classPath, "fetch", "--mock-port=9000", "list.txt").stdout())
                .isEqualTo(jar + "\n");
        assertThat(launch(classPath, "fetch", "@options.txt").stdout()).isEqualTo(jar + "\n");
        assertThat(launch(classPath, "serve").stdout()).isEqualTo(jar + "\n");
        // Older than the full jar: another build's.
        makeJarNewer();
        assertThat(launch(classPath, "fetch", "list.txt").stdout()).isEqualTo(jar + "\n");
    }

    @Test
    void aRebuiltJarIsRecordedAgain() throws Exception {
        assertThat(launch(Map.of(), "a").stderr()).contains(RECORDING);
        assertThat(launch(Map.of(), "b").stderr()).doesNotContain(RECORDING);

        makeJarNewer();

        assertThat(launch(Map.of(), "c").stderr()).contains(RECORDING);
        assertThat(launch(Map.of(), "d").stderr()).doesNotContain(RECORDING);
    }

    @Test
    void aFailedRecordingIsTriedOncePerJarAndTheRunGoesOn() throws Exception {
        Map<String, String> failing = Map.of("APP_FAIL_TRAINING", "1");
        Result first = launch(failing, "hello");
        assertThat(first.stderr()).contains(RECORDING)
                .contains("could not record the start-up cache; starting without it");
        assertThat(first.exit()).isZero();
        assertThat(first.stdout()).isEqualTo("ran hello\n");
        assertThat(dir.resolve("app.jar.aot")).doesNotExist();

        assertThat(launch(failing, "again").stderr()).doesNotContain(RECORDING);

        makeJarNewer();
        assertThat(launch(Map.of(), "rebuilt").stderr()).contains(RECORDING)
                .doesNotContain("could not record");
        assertThat(dir.resolve("app.jar.aot")).isNotEmptyFile();
    }

    /**
     * After a probe: SIGTERM while the cache was being recorded ended the launcher alone; the
     * recording ran on and left its half-made file (23 MB) beside the jar. Now it ends too,
     * its file goes, and the launcher exits as a stopped run does, saying the run never began
     * (an exploratory test found it silent). So for SIGHUP, which a terminal closed during a
     * first run sends.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"TERM, 143", "HUP, 129"})
    void aSignalWhileRecordingEndsTheRecordingAndLeavesNoFile(String signal, int code)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(dev.bulkfetch.testing.Child
                .withDefaultSignals("bash", LAUNCHER.toString(), "hello"))
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("BULKFETCH_JAR", jar.toString());
        builder.environment().put("APP_ENDLESS_TRAINING", "1");
        builder.environment().remove("BULKFETCH_AOT");
        Process launcher = builder.start();
        try {
            assertThat(dev.bulkfetch.testing.Await.until(() -> recorders().count() == 1
                    && ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine()
                            .filter(line -> line.endsWith("sleep 121")).isPresent()),
                    launcher, java.time.Duration.ofSeconds(60))).as("recording").isTrue();
            dev.bulkfetch.testing.Child.signal(launcher, signal);

            assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(launcher.exitValue()).isEqualTo(code);
            assertThat(Files.readString(dir.resolve("stderr.txt"))).contains("stopped while "
                    + "recording the start-up cache, before the run began; nothing was run");
            assertThat(dev.bulkfetch.testing.Await.until(() -> recorders().count() == 0
                    && ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine()
                            .filter(line -> line.endsWith("sleep 121")).isPresent()),
                    java.time.Duration.ofSeconds(10))).as("no recording left").isTrue();
        } finally {
            launcher.destroyForcibly();
            // A failed run leaves no recording behind to fail the next one ("sleep 121").
            recorders().forEach(recorder -> {
                recorder.descendants().forEach(ProcessHandle::destroyForcibly);
                recorder.destroyForcibly();
            });
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .noneMatch(name -> name.contains(".tmp"));
        }
    }

    /** The JVMs recording a cache for this test's jar. */
    private java.util.stream.Stream<ProcessHandle> recorders() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .filter(line -> line.contains("-XX:AOTCacheOutput=" + jar)).isPresent());
    }

    /** After review: {@code -e=serial}, as the help writes it, ran with the event loop's cache. */
    @Test
    void anEngineGivenWithAnEqualsSignHasItsOwnCache() throws Exception {
        Result serial = launch(Map.of(), "fetch", "list.txt", "-e=serial");
        assertThat(serial.stderr()).contains(RECORDING + " for this jar and the serial engine");
        assertThat(dir.resolve("app.jar.serial.aot")).isNotEmptyFile();
    }

    /**
     * An engine clustered with flags (-ke threads), as picocli and Main read it, ran with the
     * event loop's cache. (With -q in the cluster, as aQuietFetchRecordsTheCacheWithoutANote.)
     */
    @Test
    void anEngineClusteredWithFlagsHasItsOwnCache() throws Exception {
        Result threads = launch(Map.of(), "fetch", "list.txt", "-ke", "threads");
        Result virtual = launch(Map.of(), "fetch", "-kevirtual", "list.txt");

        assertThat(threads.stderr()).contains(RECORDING + " for this jar and the threads engine");
        assertThat(virtual.stderr()).contains(RECORDING + " for this jar and the virtual engine");
        assertThat(dir.resolve("app.jar.threads.aot")).isNotEmptyFile();
        assertThat(dir.resolve("app.jar.virtual.aot")).isNotEmptyFile();
        assertThat(dir.resolve("app.jar.aot")).doesNotExist();
    }

    /** After review: the first --help or -V after a build waited seconds for a recording. */
    @Test
    void helpAndTheVersionRecordNoCache() throws Exception {
        for (String asks : List.of("--help", "-V")) {
            Result run = launch(Map.of(), "fetch", asks);
            assertThat(run.stderr()).doesNotContain(RECORDING);
            assertThat(run.stdout()).isEqualTo("ran fetch " + asks + "\n");
        }
        assertThat(dir.resolve("app.jar.aot")).doesNotExist();
        assertThat(launch(Map.of(), "fetch", "list.txt").stderr()).contains(RECORDING);
    }

    /**
     * After review: first starts at once (xargs -P 8 on a fresh build) each recorded the
     * cache, eight training runs on two cores. One records it; the others run without it.
     */
    @Test
    void startsAtOnceRecordTheCacheOnce() throws Exception {
        List<Process> starts = startAtOnce(3, LAUNCHER, Map.of("BULKFETCH_JAR", jar.toString()));
        int recordings = 0;
        for (int i = 0; i < 3; i++) {
            assertThat(starts.get(i).waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(starts.get(i).exitValue()).isZero();
            assertThat(Files.readString(dir.resolve("out" + i + ".txt"))).isEqualTo("ran hello\n");
            recordings += Files.readString(dir.resolve("err" + i + ".txt")).contains(RECORDING)
                    ? 1 : 0;
        }
        assertThat(recordings).isOne();
        assertThat(dir.resolve("app.jar.aot")).isNotEmptyFile();
    }

    @Test
    void zeroTurnsTheCacheOff() throws Exception {
        Result run = launch(Map.of("BULKFETCH_AOT", "0"), "hello");
        assertThat(run.stderr()).doesNotContain(RECORDING);
        assertThat(run.stdout()).isEqualTo("ran hello\n");
        assertThat(dir.resolve("app.jar.aot")).doesNotExist();
    }
}
