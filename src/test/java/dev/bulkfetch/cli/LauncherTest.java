package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The launcher's start-up cache (JDK 25's ahead-of-time cache): recorded once per jar, reused,
 * recorded again for a rebuilt jar, tried once when recording fails, and off on request; the
 * jar's native libraries, unpacked beside it once per jar; and the user's JVM options, tried
 * once per value before a run. The
 * launcher runs a small stand-in jar (via {@code BULKFETCH_JAR}), so a recording takes a second
 * rather than the real training run's several.
 */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("bulkfetch").toAbsolutePath();
    private static final String RECORDING = "recording the start-up cache";

    @TempDir
    Path dir;
    private Path jar;

    private record Result(int exit, String stdout, String stderr) {
    }

    @BeforeEach
    void standInJar() throws IOException {
        // The launcher records the cache with this JDK too: the test's JVM is the one Maven got
        // from the launcher, and JAVA_HOME, which the launcher tries first, is passed on.
        assumeTrue(Runtime.version().feature() >= 25, "the ahead-of-time cache needs JDK 25");
        // The launcher starts the tool's main class by name, so the stand-in has that name.
        Path source = Files.writeString(dir.resolve("Main.java"), """
                package dev.bulkfetch.cli;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        if (args.length > 0 && args[0].equals("train")
                                && System.getenv("APP_FAIL_TRAINING") != null) {
                            System.exit(3);
                        }
                        if (args.length > 0 && args[0].equals("train")
                                && System.getenv("APP_ENDLESS_TRAINING") != null) {
                            // A recording the test stops, with a process of its own, as
                            // JDK 25 starts a JVM at the recording's end to write the cache.
                            new ProcessBuilder("sleep", "121").start();
                            Thread.sleep(120_000);
                        }
                        if (System.getenv("APP_PRINT_CLASS_PATH") != null) {
                            System.out.println(System.getProperty("java.class.path"));
                            return;
                        }
                        if (args.length > 0 && args[0].equals("read-stdin")) {
                            System.out.println("stdin: " + System.in.readAllBytes().length
                                    + " bytes");
                            return;
                        }
                        if (args.length > 1 && args[0].equals("property")) {
                            System.out.println(System.getProperty(args[1]));
                            return;
                        }
                        if (args.length > 0 && args[0].equals("reflect")) {
                            System.out.println(Main.class.getMethod("accessor").invoke(null));
                            return;
                        }
                        if (args.length > 0 && args[0].equals("library-path")) {
                            System.out.println(System.getProperty("java.library.path"));
                            return;
                        }
                        System.out.println("ran " + String.join(" ", args));
                    }

                    /** How a reflective call reached it: a native accessor's frame, or not. */
                    public static String accessor() {
                        for (StackTraceElement frame : new Throwable().getStackTrace()) {
                            if (frame.isNativeMethod()) {
                                return "native accessor";
                            }
                        }
                        return "method handle";
                    }
                }
                """);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        int javac = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d",
                classes.toString(), source.toString());
        assertThat(javac).isZero();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.bulkfetch.cli.Main");
        jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("dev/bulkfetch/cli/Main.class"));
            out.write(Files.readAllBytes(classes.resolve("dev/bulkfetch/cli/Main.class")));
            out.closeEntry();
            // As Netty's native transport sits in the real jar.
            out.putNextEntry(new JarEntry("META-INF/native/libstandin.so"));
            out.write(new byte[] {1, 2, 3});
            out.closeEntry();
        }
    }

    private Result launch(Map<String, String> env, String... args) throws Exception {
        return launch(List.of("bash", LAUNCHER.toString()), env, args);
    }

    private Result launch(List<String> launcher, Map<String, String> env, String... args)
            throws Exception {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("BULKFETCH_JAR", jar.toString());
        builder.environment().remove("BULKFETCH_AOT");
        builder.environment().remove("BULKFETCH_JAVA_OPTS");
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), Files.readString(dir.resolve("stdout.txt")),
                Files.readString(dir.resolve("stderr.txt")));
    }

    /**
     * Starts {@code count} launches of {@code launcher} at once, each running "hello" with its
     * output in outN.txt and errN.txt; {@code env} goes over this JDK and no options.
     */
    private List<Process> startAtOnce(int count, Path launcher, Map<String, String> env)
            throws IOException {
        List<Process> starts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ProcessBuilder builder = new ProcessBuilder("bash", launcher.toString(), "hello")
                    .redirectOutput(dir.resolve("out" + i + ".txt").toFile())
                    .redirectError(dir.resolve("err" + i + ".txt").toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().remove("BULKFETCH_AOT");
            builder.environment().remove("BULKFETCH_JAVA_OPTS");
            builder.environment().putAll(env);
            starts.add(builder.start());
        }
        return starts;
    }

    /** A folder for the PATH whose mvn is a shell script of {@code body}. */
    private Path standInMaven(String body) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("mvn"), "#!/bin/sh\n" + body);
        bin.resolve("mvn").toFile().setExecutable(true);
        return bin;
    }

    /**
     * A JDK whose java logs each call's arguments, a line in {@code calls}, and then starts this
     * JDK's; its javac is there only for the launcher to take the folder for a JDK.
     */
    private Path recordingJdk(Path calls) throws IOException {
        Path real = Path.of(System.getProperty("java.home"));
        Path bin = Files.createDirectories(dir.resolve("recording-jdk/bin"));
        Files.writeString(bin.resolve("java"), "#!/bin/sh\n"
                + "echo \"$*\" >> '" + calls + "'\n"
                + "exec '" + real.resolve("bin/java") + "' \"$@\"\n");
        bin.resolve("java").toFile().setExecutable(true);
        Files.copy(real.resolve("bin/javac"), bin.resolve("javac"));
        return bin.getParent();
    }

    /** The calls logged by {@link #recordingJdk} that tried options with -version alone. */
    private static List<String> tries(Path calls, String option) throws IOException {
        return Files.readAllLines(calls).stream()
                .filter(call -> call.endsWith(" -version") && call.contains(option)).toList();
    }

    private void makeJarNewer() throws IOException {
        // As a rebuild does; a second ahead, so file systems with coarse times see it too.
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(2)));
    }

    /**
     * After review: started with stdin closed, the JVM's first open file took descriptor 0,
     * and `fetch -` read the JDK's modules file as its list (900,000 lines of garbage). The
     * launcher gives such a run an empty stdin.
     */
    @Test
    void aClosedStdinReadsAsEmpty() throws Exception {
        Result result = launch(List.of("bash", "-c", "exec bash \"$0\" \"$@\" <&-",
                LAUNCHER.toString()), Map.of("BULKFETCH_AOT", "0"), "read-stdin");
        assertThat(result.exit()).as(result.stderr()).isZero();
        assertThat(result.stdout()).isEqualTo("stdin: 0 bytes\n");
    }

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

    @Test
    void theJarsNativeLibrariesAreUnpackedOnceBesideItAndNamedOnTheLibraryPath()
            throws Exception {
        Path unpacked = dir.resolve("app.jar.native");

        Result first = launch(Map.of(), "library-path");
        Path marker = Files.writeString(unpacked.resolve("marker"), "left by the test");
        Result second = launch(Map.of(), "library-path");
        boolean keptForTheSameJar = Files.exists(marker);
        makeJarNewer();
        launch(Map.of(), "library-path");
        boolean goneForANewerJar = !Files.exists(marker);
        Files.writeString(marker, "left by the test");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
        Result older = launch(Map.of(), "library-path");

        assertThat(first.stdout()).isEqualTo(unpacked + "\n");
        assertThat(unpacked.resolve("libstandin.so")).hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(second.stdout()).isEqualTo(unpacked + "\n");
        assertThat(keptForTheSameJar).isTrue();
        assertThat(goneForANewerJar).isTrue();
        assertThat(marker).as("unpacked again for an older jar").doesNotExist();
        assertThat(older.stdout()).isEqualTo(unpacked + "\n");
        assertThat(unpacked.resolve("libstandin.so")).exists();
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.endsWith(".tmp") || name.endsWith(".old"));
        }
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
     * its file goes, and the launcher exits as a stopped run does. So for SIGHUP, which a
     * terminal closed during a first run sends.
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

    /**
     * After review: a JDK found as the java on the PATH (JAVA_HOME unset, the common set-up
     * where the default java is new enough) left its major version unset, and the launcher
     * stopped at once ("JDK_MAJOR: unbound variable").
     */
    @Test
    void aJdkFoundOnThePathRuns() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
        // A copy of the launcher, which remembers no JDK found before (it keeps that in its
        // own target/, whose answer for another JAVA_HOME leaked its major version in).
        Path copy = Files.copy(LAUNCHER, dir.resolve("bulkfetch"));
        Result run = launch(List.of("bash", copy.toString()), Map.of("JAVA_HOME", "",
                "BULKFETCH_JDK_DIRS", "", "PATH", javaBin + ":/usr/bin:/bin"), "hello");
        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("ran hello\n");
    }

    /**
     * After review: the JDK found for a JAVA_HOME was remembered with its major version, keyed
     * by the JAVA_HOME's text; a link (SDKMAN's "current") moved to another JDK kept the old
     * major, and with it options the new JDK refuses. Here the link moves from this JDK to one
     * that says it is 22 (this JDK behind a wrapper that logs its options): the launcher must
     * start it as a JDK 22, with a class-data archive rather than JDK 25's cache.
     */
    @Test
    void aJavaHomeLinkMovedToAnotherJdkIsStartedAsThatJdk() throws Exception {
        Path real = Path.of(System.getProperty("java.home"));
        Path fake = Files.createDirectories(dir.resolve("jdk-22/bin"));
        Path options = dir.resolve("options.txt");
        Files.writeString(fake.resolve("java"), "#!/bin/sh\n"
                + "case \"$*\" in *-version*) echo 'openjdk version \"22.0.2\" 2024-07-16'"
                + " >&2; exit 0 ;; esac\n"
                + "echo \"$*\" >> '" + options + "'\n"
                + "exec '" + real.resolve("bin/java") + "' \"$@\"\n");
        Files.copy(real.resolve("bin/javac"), fake.resolve("javac"));
        fake.resolve("java").toFile().setExecutable(true);
        Files.writeString(dir.resolve("jdk-22/release"), "JAVA_VERSION=\"22.0.2\"\n");
        Path link = dir.resolve("current");
        Files.createSymbolicLink(link, real);
        Map<String, String> env = Map.of("JAVA_HOME", link.toString(), "BULKFETCH_JDK_DIRS", "",
                "PATH", "/usr/bin:/bin:" + dir);

        Result on25 = launch(env, "hello");
        assertThat(on25.exit()).as(on25.stderr()).isZero();
        Files.delete(link);
        Files.createSymbolicLink(link, dir.resolve("jdk-22"));
        Result on22 = launch(env, "hello");

        assertThat(on22.exit()).as(on22.stderr()).isZero();
        assertThat(on22.stdout()).isEqualTo("ran hello\n");
        assertThat(Files.readString(options)).contains("-XX:SharedArchiveFile=")
                .doesNotContain("-XX:AOTCache");
    }

    /**
     * An option the JVM refuses in BULKFETCH_JAVA_OPTS ended the launch with the JVM's words
     * alone and exit 1, which says a run had items not ok. The launcher tries the value first
     * and stops before anything starts (no libraries unpacked, no cache recorded), with exit 2
     * and a message naming the variable and quoting the JVM, which says some refusals on its
     * stdout (a second collector beside the launcher's serial one).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "-Xfoo | Unrecognized option: -Xfoo",
        "-XX:+NoSuchFlag | Unrecognized VM option 'NoSuchFlag'",
        "-Xmx2q | Invalid maximum heap size: -Xmx2q",
        "-XX:+UseG1GC | Multiple garbage collectors selected"})
    void aJavaOptionTheJvmRefusesStopsTheLaunchNamingTheVariable(String option, String said)
            throws Exception {
        Result run = launch(Map.of("BULKFETCH_JAVA_OPTS", "-Dfine=1 " + option), "hello");

        assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
        assertThat(run.stderr())
                .contains("the JVM refused BULKFETCH_JAVA_OPTS=\"-Dfine=1 " + option + "\"")
                .contains("\n  " + said + "\n").doesNotContain(RECORDING);
        assertThat(run.stdout()).isEmpty();
        assertThat(dir.resolve("app.jar.native")).doesNotExist();
        assertThat(dir.resolve("app.jar.aot")).doesNotExist();
    }

    /**
     * Trying a value costs a JVM start: a value that passed is not tried again, so runs that set
     * it (a benchmark's A/B runs) start as fast as before; another value is tried in its turn.
     */
    @Test
    void aValueTheJvmAcceptsIsTriedOnceAndStillReachesTheRun() throws Exception {
        Path calls = dir.resolve("calls.txt");
        String jdk = recordingJdk(calls).toString();
        Map<String, String> a = Map.of("JAVA_HOME", jdk, "BULKFETCH_AOT", "0",
                "BULKFETCH_JAVA_OPTS", "-Dchosen=a");

        Result first = launch(a, "property", "chosen");
        Result second = launch(a, "property", "chosen");
        Result other = launch(Map.of("JAVA_HOME", jdk, "BULKFETCH_AOT", "0",
                "BULKFETCH_JAVA_OPTS", "-Dchosen=b"), "property", "chosen");

        assertThat(first.exit()).as(first.stderr()).isZero();
        assertThat(first.stdout()).isEqualTo("a\n");
        assertThat(second.stdout()).isEqualTo("a\n");
        assertThat(other.stdout()).isEqualTo("b\n");
        assertThat(tries(calls, "-Dchosen=a")).hasSize(1);
        assertThat(tries(calls, "-Dchosen=b")).hasSize(1);
        assertThat(Files.readAllLines(calls)).filteredOn(call -> call.contains(" -cp "))
                .hasSize(3);
    }

    /**
     * Options that act as the JVM runs are not tried: a try would start an agent or a flight
     * recording once more, and the run after it would rotate a log file the try wrote to
     * NAME.0. The log file is the run's alone, as before.
     */
    @Test
    void anOptionThatWritesAFileIsNotTriedAndWorksAsBefore() throws Exception {
        Path calls = dir.resolve("calls.txt");
        Path gcLog = dir.resolve("gc.log");
        Result run = launch(Map.of("JAVA_HOME", recordingJdk(calls).toString(), "BULKFETCH_AOT",
                "0", "BULKFETCH_JAVA_OPTS", "-Xlog:gc:file=" + gcLog), "hello");

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("ran hello\n");
        assertThat(Files.readString(gcLog)).contains("Using Serial");
        assertThat(dir.resolve("gc.log.0")).doesNotExist();
        assertThat(tries(calls, "-Xlog:gc")).isEmpty();
    }

    /** After review: {@code -e=serial}, as the help writes it, ran with the event loop's cache. */
    @Test
    void anEngineGivenWithAnEqualsSignHasItsOwnCache() throws Exception {
        Result serial = launch(Map.of(), "fetch", "list.txt", "-e=serial");
        assertThat(serial.stderr()).contains(RECORDING + " for this jar and the serial engine");
        assertThat(dir.resolve("app.jar.serial.aot")).isNotEmptyFile();
    }

    /**
     * After review: BULKFETCH_JAVA_OPTS was glob-expanded, so an option matching a file in the
     * working folder became that file's name; and -Xshare:off in it ended every run, as the
     * JVM refuses it beside the launcher's cache.
     */
    @Test
    void theUsersJavaOptionsAreNotGlobExpandedAndMayTurnSharingOff() throws Exception {
        Files.writeString(dir.resolve("-Dglob=matched"), "");
        Result glob = launch(Map.of("BULKFETCH_JAVA_OPTS", "-Dglob=*"), "property", "glob");
        assertThat(glob.exit()).as(glob.stderr()).isZero();
        assertThat(glob.stdout()).isEqualTo("*\n");

        Result off = launch(Map.of("BULKFETCH_JAVA_OPTS", "-Xshare:off"), "hello");
        assertThat(off.exit()).as(off.stderr()).isZero();
        assertThat(off.stdout()).isEqualTo("ran hello\n");
    }

    /**
     * Reflection goes through the JDK's native accessors (no method-handle classes spun for
     * Netty's calls at start, 20 ms of a one-URL run); the user's own setting still wins. The
     * stand-in calls a method reflectively and says how the call came: should a JDK drop the
     * internal switch, this fails rather than the start growing slower unseen.
     */
    @Test
    void reflectionUsesNativeAccessorsUnlessTheUserSaysOtherwise() throws Exception {
        Result run = launch(Map.of(), "reflect");
        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("native accessor\n");

        Result own = launch(Map.of("BULKFETCH_JAVA_OPTS",
                "-Djdk.reflect.useNativeAccessorOnly=false"), "reflect");
        assertThat(own.exit()).as(own.stderr()).isZero();
        assertThat(own.stdout()).isEqualTo("method handle\n");
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

    /**
     * After review: two launches that found the jar stale built it into the same target/ at
     * once, and one failed ("archive is not a ZIP archive"). A stand-in Maven that takes two
     * seconds logs each build: the second launch waits for the first's and finds the jar built.
     */
    @Test
    void launchesThatFindTheJarStaleBuildItOnce() throws Exception {
        Path copy = Files.copy(LAUNCHER, dir.resolve("bulkfetch"));
        Path builds = dir.resolve("builds.txt");
        // As Maven 3.8 does when quiet: colour resets, told no colour or not.
        Path bin = standInMaven("printf '\\033[0m\\033[0m'\n"
                + "echo build >> '" + builds + "'\n"
                + "sleep 2\n"  // the build's own length, not a wait for anything
                + "mkdir -p target && cp '" + jar + "' target/bulkfetch-all.jar\n");
        // No BULKFETCH_JAR: the copy's own target/bulkfetch-all.jar, missing, so stale.
        List<Process> starts = startAtOnce(2, copy, Map.of("PATH", bin + ":/usr/bin:/bin",
                "BULKFETCH_AOT", "0", "BULKFETCH_JAR", ""));
        for (int i = 0; i < 2; i++) {
            assertThat(starts.get(i).waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(starts.get(i).exitValue())
                    .as(Files.readString(dir.resolve("err" + i + ".txt"))).isZero();
            assertThat(Files.readString(dir.resolve("out" + i + ".txt"))).isEqualTo("ran hello\n");
            assertThat(Files.readString(dir.resolve("err" + i + ".txt"))).doesNotContain("\u001b");
        }
        assertThat(Files.readAllLines(builds)).containsExactly("build");

        // A failed build is no run with items not ok (1): it exits 2.
        standInMaven("echo 'COMPILATION ERROR'\nexit 1\n");
        Files.delete(dir.resolve("target/bulkfetch-all.jar"));
        Result failed = launch(List.of("bash", copy.toString()), Map.of("PATH",
                bin + ":/usr/bin:/bin", "BULKFETCH_AOT", "0", "BULKFETCH_JAR", ""), "hello");
        assertThat(failed.exit()).isEqualTo(2);
        assertThat(failed.stderr()).contains("COMPILATION ERROR")
                .contains("build failed (mvn exit code 1)");
    }

    /**
     * After review: the build lock covered the launcher's own builds only, so a launch on a
     * stale jar built while a `./bulkfetch --mvn package` of the same folder ran, and failed.
     * A stand-in Maven that takes two seconds logs when each build starts and ends: they never
     * overlap, whichever takes the lock first.
     */
    @Test
    void aMavenRunThroughTheLauncherHoldsOffItsBuilds() throws Exception {
        Path copy = Files.copy(LAUNCHER, dir.resolve("bulkfetch"));
        Path builds = dir.resolve("builds.txt");
        Path bin = standInMaven("echo \"start $*\" >> '" + builds + "'\n"
                + "sleep 2\n"  // the build's own length, not a wait for anything
                + "mkdir -p target && cp '" + jar + "' target/bulkfetch-all.jar\n"
                + "echo \"end $*\" >> '" + builds + "'\n");
        Map<String, String> env = Map.of("PATH", bin + ":/usr/bin:/bin", "BULKFETCH_AOT", "0",
                "BULKFETCH_JAR", "");
        ProcessBuilder mvn = new ProcessBuilder("bash", copy.toString(), "--mvn", "verify")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        mvn.environment().put("JAVA_HOME", System.getProperty("java.home"));
        mvn.environment().putAll(env);
        Process verify = mvn.start();
        List<Process> launch = startAtOnce(1, copy, env);

        assertThat(verify.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(launch.getFirst().waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(launch.getFirst().exitValue())
                .as(Files.readString(dir.resolve("err0.txt"))).isZero();
        List<String> log = Files.readAllLines(builds);
        for (int i = 0; i < log.size(); i += 2) {
            assertThat(log.get(i)).as(String.join("\n", log)).startsWith("start ");
            assertThat(log.get(i + 1)).isEqualTo("end" + log.get(i).substring("start".length()));
        }
    }

    @Test
    void zeroTurnsTheCacheOff() throws Exception {
        Result run = launch(Map.of("BULKFETCH_AOT", "0"), "hello");
        assertThat(run.stderr()).doesNotContain(RECORDING);
        assertThat(run.stdout()).isEqualTo("ran hello\n");
        assertThat(dir.resolve("app.jar.aot")).doesNotExist();
    }
}
