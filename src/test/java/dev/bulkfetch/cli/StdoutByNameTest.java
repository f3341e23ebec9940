package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * After an exploratory test: {@code -o /dev/stdout} and {@code --summary-json /dev/stdout}
 * opened stdout's file again, with an offset of its own, so what a shell wrote to the same
 * file after the run ({@code { echo start; bulkfetch ...; echo end; } > log}) landed over the
 * records. By any of its names, stdout is written as {@code -} writes it: through the stream
 * the process was given.
 */
class StdoutByNameTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})
    void recordsToStdoutByNameStayBetweenTheShellsLines(String name) throws Exception {
        try (TestServer server = new TestServer()) {
            Path log = dir.resolve("log.txt");
            Process child = Child.startBetweenShellLines(log, dir.resolve("err.txt"), "start",
                    "end", "fetch", server.urlList(dir, "/ok/", 2).toString(), "-o", name,
                    "-q", "--ordered");

            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
            List<String> lines = Files.readAllLines(log);
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).isEqualTo("start");
            assertThat(lines.subList(1, 3)).allSatisfy(line ->
                    assertThat(Records.json(line).get("ok").asBoolean()).isTrue());
            assertThat(lines.get(3)).isEqualTo("end");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/dev/stdout", "-"})
    void aSummaryToStdoutByNameStaysBetweenTheShellsLines(String name) throws Exception {
        try (TestServer server = new TestServer()) {
            Path log = dir.resolve("log.txt");
            Process child = Child.startBetweenShellLines(log, dir.resolve("err.txt"), "start",
                    "end", "fetch", server.urlList(dir, "/ok/", 2).toString(), "-o",
                    dir.resolve("out.jsonl").toString(), "--summary-json", name, "-q");

            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
            String text = Files.readString(log);
            assertThat(text).startsWith("start\n").endsWith("\nend\n");
            String summary = text.substring("start\n".length(), text.length() - "end\n".length());
            assertThat(Records.json(summary).get("items").asLong()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/dev/stderr", "/dev/fd/2"})
    void aSummaryToStderrByNameStaysBetweenTheShellsLines(String name) throws Exception {
        try (TestServer server = new TestServer()) {
            Path log = dir.resolve("err.txt");
            Process child = Child.startBetweenShellLinesOnStderr(log, "start", "end", "fetch",
                    server.urlList(dir, "/ok/", 2).toString(), "-o",
                    dir.resolve("out.jsonl").toString(), "--summary-json", name, "-q");

            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String text = Files.readString(log);
            assertThat(child.exitValue()).as(text).isZero();
            assertThat(text).startsWith("start\n").endsWith("\nend\n");
            // The child JVM's own warnings (native access, as no launcher allows it) go there
            // too, before the run's.
            String summary = text.substring("start\n".length(), text.length() - "end\n".length())
                    .lines().filter(line -> !line.startsWith("WARNING: "))
                    .collect(java.util.stream.Collectors.joining("\n"));
            assertThat(Records.json(summary).get("items").asLong()).isEqualTo(2);
        }
    }
}
