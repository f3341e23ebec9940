package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cap is exact on every engine, counted at the server. */
class ConcurrencyCapTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -c {1}")
    @CsvSource({
        "event-loop, 1, 1", "event-loop, 7, 7", "event-loop, 64, 64",
        "threads, 7, 7", "threads, 64, 64",
        "virtual, 7, 7", "virtual, 64, 64",
        "serial, 1, 1",
    })
    void serverNeverSeesMoreThanTheCapAndDoesReachIt(String engine, int cap, int expectedPeak) {
        server.counter().reset();
        int items = Math.max(8, expectedPeak * 4);
        // The server holds requests until the expected peak is held at once: the peak then
        // does not depend on how fast this machine opens 64 connections.
        Path list = server.urlList(dir, "/gather/" + expectedPeak + "/", items);

        Cli.Result result = Cli.run("fetch", list.toString(), "-e", engine, "-c",
                Integer.toString(cap), "-q");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Records.parse(result.out())).hasSize(items)
                .allMatch(r -> r.get("engine").asText().equals(engine));
        assertThat(server.counter().served()).isEqualTo(items);
        assertThat(server.counter().peak()).isEqualTo(expectedPeak);
    }
}
