package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class OrderedOutputTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @TempDir
    Path dir;

    /** A slow first item (1.5 s) and 40 fast ones after it. */
    private Path slowFirstList() {
        String text = server.url("/slow/1") + "\n" + IntStream.rangeClosed(1, 40)
                .mapToObj(n -> server.url("/ok/" + n)).collect(Collectors.joining("\n")) + "\n";
        return TestServer.write(dir.resolve("slow-first.txt"), text);
    }

    @Test
    void orderedWritesRecordsInInputOrderWhileASlowFirstItemHoldsTheWindow() {
        Cli.Result result = Cli.run("fetch", slowFirstList().toString(), "-c", "8", "--ordered",
                "-q");

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<Long> seqs = Records.parse(result.out()).stream().map(r -> r.get("seq").asLong())
                .toList();
        assertThat(seqs).hasSize(41).isSorted().first().isEqualTo(1L);
    }

    /**
     * The first item is held by the server until the other 40 are written: in completion
     * order they come first whatever the machine's pace, and the run ends once it is let go.
     */
    @Test
    void withoutOrderedTheSlowFirstItemIsWrittenLast() throws Exception {
        String text = server.url("/until-released/1") + "\n" + IntStream.rangeClosed(1, 40)
                .mapToObj(n -> server.url("/ok/" + n)).collect(Collectors.joining("\n")) + "\n";
        Path list = TestServer.write(dir.resolve("held-first.txt"), text);
        Path out = dir.resolve("out.jsonl");
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run(
                "fetch", list.toString(), "-c", "8", "-q", "-o", out.toString()));

        try {
            assertThat(Await.until(() -> Records.written(out) == 40, Duration.ofSeconds(30)))
                    .as("the other 40 written while the first is held").isTrue();
        } finally {
            server.counter().release();  // failed or not, the run must not outlive the test
        }

        Cli.Result result = run.get(30, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.err()).isZero();
        List<JsonNode> records = Records.read(out);
        assertThat(records).hasSize(41);
        assertThat(records.getLast().get("seq").asLong()).isEqualTo(1L);
    }
}
