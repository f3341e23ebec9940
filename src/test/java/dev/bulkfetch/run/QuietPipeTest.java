package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.cli.Main;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A producer that pauses between lines does not hold back the records already finished. */
class QuietPipeTest {

    @Test
    void aRecordIsWrittenWhileStdinIsStillOpenAndQuiet() throws Exception {
        try (TestServer server = new TestServer()) {
            PipedOutputStream producer = new PipedOutputStream();
            PipedInputStream stdin = new PipedInputStream(producer);
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run(
                    new String[] {"fetch", "-", "-q"}, stdin, stdout,
                    new PrintWriter(new StringWriter(), true)));

            producer.write((server.url("/ok/1") + "\n").getBytes(StandardCharsets.UTF_8));
            producer.flush();
            Await.until(() -> stdout.size() > 0, Duration.ofSeconds(20));
            assertThat(Records.parse(stdout.toString(StandardCharsets.UTF_8)))
                    .as("the first record, with the pipe still open").hasSize(1);

            producer.write((server.url("/ok/2") + "\n").getBytes(StandardCharsets.UTF_8));
            producer.close();
            assertThat(exit.get()).isZero();
            assertThat(Records.parse(stdout.toString(StandardCharsets.UTF_8))).hasSize(2);
        }
    }
}
