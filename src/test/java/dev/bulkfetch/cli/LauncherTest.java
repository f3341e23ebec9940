package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the launcher does around a run: it finds a JDK (on the PATH, behind a
 * JAVA_HOME link that moved), builds a stale jar once however many launches find it
 * so, unpacks the jar's native libraries beside it once per jar, runs from a folder
 * it may not write to, and gives a run whose stdin is closed an empty one.
 */
class LauncherTest extends StandInJar {

    /** A folder for the PATH whose mvn is a shell script of {@code body}. */
    private Path standInMaven(String body) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("mvn"), "#!/bin/sh\n" + body);
        bin.resolve("mvn").toFile().setExecutable(true);
        return bin;
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

    /**
     * From the review: with no locale set (cron, systemd, a bare container) or a C one, the
     * JVM read file names as ASCII, and 'liste-ü.txt' was not found. The launcher moves a C or
     * POSIX locale to C.UTF-8, as Python does, and the JVM names files in UTF-8.
     */
    @Test
    void aCOrUnsetLocaleNamesFilesInUtf8() throws Exception {
        Map<String, String> none = Map.of("BULKFETCH_AOT", "0", "LANG", "", "LC_ALL", "",
                "LC_CTYPE", "");
        Map<String, String> c = Map.of("BULKFETCH_AOT", "0", "LANG", "", "LC_ALL", "C");
        Map<String, String> posix = Map.of("BULKFETCH_AOT", "0", "LC_ALL", "", "LC_CTYPE", "",
                "LANG", "POSIX");

        for (Map<String, String> env : List.of(none, c, posix)) {
            Result result = launch(env, "property", "sun.jnu.encoding");
            assertThat(result.stdout()).as(env.toString()).isEqualTo("UTF-8\n");
        }
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

    /**
     * A jar in a folder the user may not write to (an install under /opt, run by another
     * user): the run starts without what the launcher would make beside the jar, says nothing
     * of it and leaves nothing there; a start-up cache made there before is used. Run as the
     * user nobody, since root writes anywhere.
     */
    @Test
    void aJarInAFolderTheUserCannotWriteToRunsWithoutWritingThere() throws Exception {
        assumeTrue(Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0)
                && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs root and setpriv");
        // Everyone may read and search the folder, the jar and the launcher, and no more.
        Path launcher = Files.copy(LAUNCHER, dir.resolve("bulkfetch"));
        for (Path path : List.of(dir, launcher)) {
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions
                    .fromString("rwxr-xr-x"));
        }
        List<String> asNobody = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", "bash", launcher.toString());
        List<String> before;
        try (var files = Files.list(dir)) {
            before = files.map(Path::toString).sorted().toList();
        }

        Result fresh = launch(asNobody, Map.of("BULKFETCH_JAVA_OPTS", "-Xmx64m"), "hello");
        List<String> after;
        try (var files = Files.list(dir)) {
            after = files.map(Path::toString).sorted().toList();
        }
        launch(Map.of(), "hello");  // as root: the cache, as an install step would make it
        Result cached = launch(asNobody, Map.of("BULKFETCH_JAVA_OPTS", "-Xlog:aot=info"),
                "hello");

        assertThat(fresh.exit()).as(fresh.stderr()).isZero();
        assertThat(fresh.stdout()).isEqualTo("ran hello\n");
        assertThat(fresh.stderr()).isEmpty();
        // stdout.txt and stderr.txt are the test's, made as the launch began.
        assertThat(after).containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(
                before.stream(), java.util.stream.Stream.of(dir.resolve("stdout.txt").toString(),
                        dir.resolve("stderr.txt").toString())).distinct().toList());
        assertThat(dir.resolve("app.jar.aot")).isNotEmptyFile();
        assertThat(cached.exit()).as(cached.stderr()).isZero();
        assertThat(cached.stderr()).doesNotContain(RECORDING);
        assertThat(cached.stdout()).contains("Opened AOT cache " + jar + ".aot")
                .endsWith("ran hello\n");
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

        // From an exploratory test: a build stopped by Ctrl-C (Maven's JVM exits 130) is a
        // stopped launch, 130, not a failed build's 2.
        standInMaven("exit 130\n");
        Result stopped = launch(List.of("bash", copy.toString()), Map.of("PATH",
                bin + ":/usr/bin:/bin", "BULKFETCH_AOT", "0", "BULKFETCH_JAR", ""), "hello");
        assertThat(stopped.exit()).isEqualTo(130);
        assertThat(stopped.stderr()).contains("build stopped (mvn ended by signal 2)");
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
}
