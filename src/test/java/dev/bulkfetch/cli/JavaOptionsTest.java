package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The user's JVM options (BULKFETCH_JAVA_OPTS, and the environment's JAVA_TOOL_OPTIONS,
 * JDK_JAVA_OPTIONS and _JAVA_OPTIONS): tried once per value before a run,
 * a value the JVM refuses stopping the launch, passed on unexpanded; and the
 * launcher's own reflection setting, which the user's may override.
 */
class JavaOptionsTest extends StandInJar {

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
     * The JVM options of the environment, set for other programs, reach every JVM started here:
     * a collector there beside the launcher's serial one ended each launch with the JVM's words
     * and exit 1, which says a run had items not ok. Each variable is tried as
     * BULKFETCH_JAVA_OPTS is, and named with the way round it.
     */
    @ParameterizedTest
    @CsvSource({"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"})
    void anEnvironmentsJavaOptionTheJvmRefusesStopsTheLaunchNamingTheVariable(String name)
            throws Exception {
        Result run = launch(Map.of(name, "-XX:+UseG1GC"), "hello");

        assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
        assertThat(run.stderr())
                .contains("the JVM refused " + name + "=\"-XX:+UseG1GC\", from the environment;"
                        + " nothing was run")
                .contains("\n  Multiple garbage collectors selected\n")
                .contains("run without it: env -u " + name + " ")
                .doesNotContain("Picked up").doesNotContain(RECORDING);
        assertThat(run.stdout()).isEmpty();
        assertThat(dir.resolve("app.jar.aot")).doesNotExist();
    }

    /**
     * After review: values the JVM takes each alone may clash together (a maximum heap in one
     * variable, a larger initial heap in another), which ended the launch with exit 1. They
     * are tried together too when more than one is set.
     */
    @Test
    void javaOptionsTheJvmRefusesTogetherStopTheLaunchNamingEachVariable() throws Exception {
        Result run = launch(Map.of("BULKFETCH_JAVA_OPTS", "-Xmx40m", "_JAVA_OPTIONS", "-Xms48m"),
                "hello");

        assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
        assertThat(run.stderr())
                .contains("the JVM refused BULKFETCH_JAVA_OPTS=\"-Xmx40m\" _JAVA_OPTIONS="
                        + "\"-Xms48m\" together, though it takes each alone; nothing was run")
                .contains("\n  Initial heap size set to a larger value than the maximum heap"
                        + " size\n")
                .doesNotContain(RECORDING);
        assertThat(run.stdout()).isEmpty();
    }

    /** An environment's value the JVM takes is tried once, and reaches the run. */
    @Test
    void anEnvironmentsValueTheJvmAcceptsIsTriedOnce() throws Exception {
        Path calls = dir.resolve("calls.txt");
        Map<String, String> env = Map.of("JAVA_HOME", recordingJdk(calls).toString(),
                "BULKFETCH_AOT", "0", "JDK_JAVA_OPTIONS", "-Dchosen=env");

        Result first = launch(env, "property", "chosen");
        Result second = launch(env, "property", "chosen");

        assertThat(first.exit()).as(first.stderr()).isZero();
        assertThat(first.stdout()).isEqualTo("env\n");
        assertThat(second.stdout()).isEqualTo("env\n");
        assertThat(Files.readAllLines(calls)).filteredOn(call -> call.endsWith(" -version"))
                .hasSize(1);
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

    /**
     * A debugger's agent named the old way (-Xrunjdwp) is not tried either: the try would
     * start it, and with suspend=y (its default) wait for a debugger before the real run.
     */
    @Test
    void aDebuggerNamedTheOldWayIsNotTried() throws Exception {
        Path calls = dir.resolve("calls.txt");
        Result run = launch(Map.of("JAVA_HOME", recordingJdk(calls).toString(), "BULKFETCH_AOT",
                "0", "BULKFETCH_JAVA_OPTS",
                "-Xdebug -Xrunjdwp:transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0"),
                "hello");

        assertThat(run.exit()).as(run.stderr()).isZero();
        // After the agent's own "Listening for transport ..." line.
        assertThat(run.stdout()).endsWith("ran hello\n");
        assertThat(tries(calls, "-Xrunjdwp")).isEmpty();
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

    /**
     * The survivor spaces hold what the requests in flight hold when a collection comes (a
     * virtual thread's stack, a connection's objects): a tenth of the young generation each,
     * 1.6 MiB, overflowed at -c 200 on the blocking engines, and what was promoted grew the
     * old generation a 1 MiB a collection, to 2.7 GiB over 1,000,000 URLs. The user's own
     * ratio still wins.
     */
    @Test
    void theSurvivorSpacesAreAFifthOfTheYoungGenerationUnlessTheUserSaysOtherwise()
            throws Exception {
        Result run = launch(Map.of(), "vm-option", "SurvivorRatio");
        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("3\n");
        Result young = launch(Map.of(), "vm-option", "NewSize");
        assertThat(young.stdout()).isEqualTo(24 * 1024 * 1024 + "\n");
        // Filled to 90% before the age objects are promoted at drops (see the launcher).
        Result target = launch(Map.of(), "vm-option", "TargetSurvivorRatio");
        assertThat(target.stdout()).isEqualTo("90\n");

        Result own = launch(Map.of("BULKFETCH_JAVA_OPTS", "-XX:SurvivorRatio=8"),
                "vm-option", "SurvivorRatio");
        assertThat(own.exit()).as(own.stderr()).isZero();
        assertThat(own.stdout()).isEqualTo("8\n");
    }
}
