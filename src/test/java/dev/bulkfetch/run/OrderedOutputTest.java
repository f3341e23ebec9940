package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void withoutOrderedTheSlowFirstItemIsWrittenLast() {
        Cli.Result result = Cli.run("fetch", slowFirstList().toString(), "-c", "8", "-q");

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<JsonNode> records = Records.parse(result.out());
        assertThat(records).hasSize(41);
        assertThat(records.getLast().get("seq").asLong()).isEqualTo(1L);
    }
}
