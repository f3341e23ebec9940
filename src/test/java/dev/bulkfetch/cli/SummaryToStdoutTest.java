package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * After a probe: --summary-json - wrote a file named '-'. It is stdout now, as the input's and
 * -o's '-' are, and a usage error when the records go there too, where the two would mix.
 */
class SummaryToStdoutTest {

    @TempDir
    Path dir;

    @Test
    void aSummaryToStdoutBesideRecordsInAFileIsTheWholeOfStdout() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 3);
            Path out = dir.resolve("out.jsonl");

            Cli.Result result = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--summary-json", "-", "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            JsonNode summary = Records.json(result.out());
            assertThat(summary.get("items").asLong()).isEqualTo(3);
            assertThat(summary.get("all_ok").asBoolean()).isTrue();
            assertThat(result.out()).endsWith("}\n");
            assertThat(Records.read(out)).hasSize(3);
        }
        assertThat(Path.of("-")).doesNotExist();
    }

    /**
     * And so is one to /dev/stdout, the same stream by its name in /dev (after an exploratory
     * test: accepted, it wrote the summary on the end of the records).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"-|", "-|-o -", "/dev/stdout|", "/dev/stdout|-o -",
        "-|-o /dev/stdout", "/dev/stdout|-o /dev/stdout"})
    void aSummaryToStdoutWhereTheRecordsGoIsAUsageErrorNamingBoth(String summary,
                                                                 String output)
            throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 2);
            String line = "fetch " + list + " --summary-json " + summary + " "
                    + (output == null ? "" : output);

            Cli.Result result = Cli.run(line.strip().split(" "));

            assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(result.err()).startsWith("--summary-json " + summary + " and --output"
                    + " both name stdout (the records go there without -o, or with -o -), where"
                    + " the summary and the records would mix: give -o FILE for the records, or"
                    + " --summary-json FILE\n");
            assertThat(result.out()).isEmpty();
            assertThat(server.counter().served()).isZero();
        }
    }

    /** Written as a stopped run ends too, as the README says of --summary-json. */
    @Test
    void aRunStoppedBySigtermWritesItsSummaryToStdout() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = TestServer.write(dir.resolve("held.txt"),
                    server.url("/until-released/1") + "\n");
            Path out = dir.resolve("out.jsonl");
            Path stdout = dir.resolve("stdout.txt");
            Process child = Child.startWithOutput(stdout, dir.resolve("err.txt"), "fetch",
                    list.toString(), "-o", out.toString(), "--summary-json", "-", "-q",
                    "--grace", "1ms");
            try {
                assertThat(Child.signalAndWait(child, "TERM",
                        () -> server.counter().inFlight() >= 1, Duration.ofSeconds(30)))
                        .isTrue();
            } finally {
                server.counter().release();
            }

            assertThat(child.exitValue()).isEqualTo(143);
            JsonNode summary = Records.json(Files.readString(stdout));
            assertThat(summary.get("interrupted").asBoolean()).isTrue();
            assertThat(summary.get("all_ok").asBoolean()).isFalse();
            assertThat(Records.read(out)).isEqualTo(List.of());
        }
    }
}
