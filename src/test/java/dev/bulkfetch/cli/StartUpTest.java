package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.RawServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a plain run must not load: each was once added to every start by a change elsewhere,
 * and only a benchmark noticed. Reading a command's annotations makes the JDK's first
 * annotation proxies (about 60 ms, a help command's); a {@code SecureRandom} loads the security
 * providers (15 to 20 ms, a temporary file's name). The classes a fresh JVM loads tell, where a
 * timed test could not.
 */
class StartUpTest {

    // Not the event loop's run: its Netty starts as the run does (EventLoopPrestart), and
    // the command line's parsing, the same for every engine, is shown by the others'.
    @ParameterizedTest
    @EnumSource(mode = EnumSource.Mode.EXCLUDE, names = "EVENT_LOOP")
    void aRunToAFileMakesNoAnnotationProxyBeforeItsEngineStartsNorLoadsSecurity(EngineKind kind,
            @TempDir Path dir) throws Exception {
        List<String> loaded = oneFetchLogging("class+load=info", kind, dir).stream()
                .map(line -> line.replaceFirst("^\\[[^ ]*\\s+", "").split(" ")[0])
                .toList();
        assertThat(loaded).as("the log names classes").contains("dev.bulkfetch.cli.Main");
        // Netty makes its own, in its platform probes (reflection on its cleaner) and its
        // first pipeline (@Sharable), once it starts, if it does.
        int netty = loaded.indexOf("io.netty.util.internal.PlatformDependent");
        assertThat(loaded.subList(0, netty < 0 ? loaded.size() : netty))
                .as("classes loaded before Netty starts, if it does")
                .filteredOn(name -> name.equals("java.lang.reflect.Proxy$ProxyBuilder"))
                .isEmpty();
        assertThat(loaded).filteredOn(name -> name.equals("java.security.SecureRandom"))
                .isEmpty();
    }

    /**
     * A fetch on the event loop begins Netty's and AHC's set-up on a thread of its own as it
     * starts (EventLoopPrestart), while the main thread parses the command line: the set-up
     * the first request would otherwise wait for on the main thread. Another engine does not.
     * The JVM's log of class initialisation names the thread that did each.
     */
    @ParameterizedTest
    @EnumSource
    void onlyTheEventLoopsRunSetsNettyUpOnAThreadOfItsOwn(EngineKind kind, @TempDir Path dir)
            throws Exception {
        List<String> byPrestart = oneFetchLogging("class+init=info", kind, dir).stream()
                .filter(line -> line.endsWith("by thread \"bulkfetch-prestart\""))
                .toList();
        if (kind == EngineKind.EVENT_LOOP) {
            // The engine waits for the prestart before it touches Netty: Netty's platform
            // set-up is the prestart's, whatever the two threads' timing.
            assertThat(byPrestart).as("classes the prestart thread initialised")
                    .anyMatch(line -> line.contains("'io/netty/util/internal/PlatformDependent'"));
        } else {
            assertThat(byPrestart).isEmpty();
        }
    }

    /**
     * The start-up cache holds the call sites of lambdas and string joins that the training
     * run met, and no other: a pattern switch's first run makes a class with the JDK's
     * class-file API, and a record's first {@code hashCode} or {@code equals} builds a tree of
     * method handles (an {@code Attempt} in a set: 12 ms of each start). Neither belongs on a
     * run's path. The JVM's log of the call sites it links names each.
     */
    @ParameterizedTest
    @EnumSource
    void aRunLinksNoPatternSwitchNorRecordMethodOfOurs(EngineKind kind, @TempDir Path dir)
            throws Exception {
        java.util.regex.Pattern callSite = java.util.regex.Pattern.compile(
                "resolve_invokedynamic Bootstrap in (dev/bulkfetch/\\S+) indy#\\S+ (\\w+):");
        List<String> linked = oneFetchLogging("methodhandles+indy=debug", kind, dir).stream()
                .map(callSite::matcher)
                .filter(java.util.regex.Matcher::find)
                .map(found -> found.group(1) + " " + found.group(2))
                .toList();
        assertThat(linked).as("call sites of ours linked").isNotEmpty();
        assertThat(linked).noneMatch(site -> site.matches(
                ".* (typeSwitch|enumSwitch|hashCode|equals|toString)"));
    }

    /**
     * The launcher starts runs with reflection through the JDK's native accessors only. What
     * reflects works so: Netty's probes on the event loop, WireMock reading its stubs and
     * templating its answers (the items stub's body) for --mock; and JSON Lines specs read.
     */
    @Test
    void aRunWorksWithReflectionThroughNativeAccessorsOnly(@TempDir Path dir) throws Exception {
        Path specs = Files.writeString(dir.resolve("specs.jsonl"), """
                {"url": "http://127.0.0.1:8089/items/1"}
                {"id": "second", "url": "http://127.0.0.1:8089/items/2"}
                {"url": "http://127.0.0.1:8089/items/3", "headers": {"Accept": "text/plain"}}
                """);
        Path out = dir.resolve("out.jsonl");
        Path err = dir.resolve("err.txt");
        Process child = Child.start(err, List.of("-Djdk.reflect.useNativeAccessorOnly=true",
                        "-Djava.library.path=" + nettyNatives(dir)), "fetch", specs.toString(),
                "--input-format", "jsonl", "--mock", "--mock-port", "0", "-e",
                EngineKind.EVENT_LOOP.cliName(), "-q", "-o", out.toString());
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(Files.readString(err)).isZero();
        assertThat(Files.readAllLines(out)).hasSize(3)
                .allSatisfy(line -> assertThat(line).contains("\"status\":200"));
    }

    /** The launcher's jar for a fetch leaves WireMock out; run by hand with --mock, it says so. */
    @Test
    void theMockWithoutWireMockOnTheClassPathIsAUsageErrorNamingTheJarToRun(@TempDir Path dir)
            throws Exception {
        String withoutWireMock = Arrays.stream(System.getProperty("java.class.path")
                        .split(java.io.File.pathSeparator))
                .filter(entry -> !entry.contains("wiremock"))
                .collect(Collectors.joining(java.io.File.pathSeparator));
        Path err = dir.resolve("err.txt");
        Process child = Child.startWithClassPath(err, withoutWireMock, "fetch",
                "urls/demo.txt", "--mock", "-q", "-o", dir.resolve("out.jsonl").toString());
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(ExitCodes.USAGE);
        assertThat(Files.readString(err)).contains("the mock needs WireMock")
                .contains("bulkfetch-all.jar").doesNotContain("NoClassDefFoundError");
    }

    @Test
    void noDependencyBringsKotlinWhichNoClassCalls() {
        // resilience4j-core declares it: 1,378 entries of the command jar's directory, which
        // every start reads, and 1.7 MB a library user would carry for nothing.
        assertThatThrownBy(() -> Class.forName("kotlin.Unit"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    /**
     * The lines the JVM logs of {@code selection} (tags=level) in a run of {@code kind} that
     * fetches one URL, in the launcher's way (Netty's library found on the library path).
     */
    private static List<String> oneFetchLogging(String selection, EngineKind kind, Path dir)
            throws Exception {
        Path log = dir.resolve("jvm-log.txt");
        try (RawServer server = RawServer.answering(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) {
            assertThat(Child.fetchOne(dir, List.of("-Xlog:" + selection + ":file=" + log,
                    "-Djava.library.path=" + nettyNatives(dir)), server.url("/one"),
                    "-e", kind.cliName()).get("status").asInt()).isEqualTo(200);
        }
        return Files.readAllLines(log);
    }

    /**
     * Netty's epoll library in a folder of its own, as the launcher unpacks it: found on the
     * library path, it is loaded in place, not copied out of its jar to a temporary file first.
     */
    private static Path nettyNatives(Path dir) throws Exception {
        String library = "libnetty_transport_native_epoll_"
                + (System.getProperty("os.arch").equals("aarch64") ? "aarch_64" : "x86_64")
                + ".so";
        Path natives = Files.createDirectories(dir.resolve("native"));
        try (InputStream in = StartUpTest.class.getResourceAsStream(
                "/META-INF/native/" + library)) {
            if (in != null) {  // none for this platform: Netty uses NIO, and copies nothing
                Files.copy(in, natives.resolve(library));
            }
        }
        return natives;
    }
}
