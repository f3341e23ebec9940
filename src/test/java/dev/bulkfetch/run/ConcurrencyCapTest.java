package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConcurrencyCapTest {

    private static TestServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "-c {0}")
    @ValueSource(ints = {1, 7, 64})
    void serverNeverSeesMoreThanTheCapAndDoesReachIt(int cap) {
        server.counter().reset();
        int items = Math.max(8, cap * 4);
        Path list = server.urlList(dir, "/held/", items);

        Cli.Result result = Cli.run("fetch", list.toString(), "-c", Integer.toString(cap), "-q");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Records.parse(result.out())).hasSize(items);
        assertThat(server.counter().served()).isEqualTo(items);
        assertThat(server.counter().peak()).isEqualTo(cap);
    }
}
