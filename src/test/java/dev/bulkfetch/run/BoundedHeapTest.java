package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A 128 MiB heap carries a 1 GiB body, passed or saved, and 200,000 URLs: nothing grows with
 * the input.
 */
class BoundedHeapTest {

    private static final List<String> SMALL_HEAP = List.of("-Xmx128m",
            "-XX:+ExitOnOutOfMemoryError");

    @TempDir
    Path dir;

    @Test
    void aOneGibBodyPassesThroughA128MibHeapAsTooLargeUnbuffered() throws Exception {
        try (RawServer huge = new RawServer(RawServer.Mode.ONE_GIB)) {
            Path list = TestServer.write(dir.resolve("huge.txt"), huge.url("/1") + "\n");
            Path out = dir.resolve("out.jsonl");
            Process child = Child.start(dir.resolve("err.txt"), SMALL_HEAP, "fetch",
                    list.toString(), "--max-body", "2GiB", "--timeout", "2m", "-o",
                    out.toString());
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
            JsonNode record = Records.read(out).getFirst();
            assertThat(record.get("bytes").asLong()).isEqualTo(1L << 30);
        }
    }

    /**
     * Saved, the same body streams to its file: it was held whole, and overran the heap. Also
     * asked into the record, it stays in its file only, as text that cannot fit would end
     * the run (it did, with every record after it).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aOneGibBodySavedToDiskPassesThroughA128MibHeap(boolean alsoInline) throws Exception {
        try (RawServer huge = new RawServer(RawServer.Mode.ONE_GIB)) {
            Path list = TestServer.write(dir.resolve("huge.txt"), huge.url("/1") + "\n");
            Path out = dir.resolve("out.jsonl");
            Path bodies = dir.resolve("bodies");
            List<String> args = new java.util.ArrayList<>(List.of("fetch", list.toString(),
                    "--max-body", "2GiB", "--timeout", "2m", "-o", out.toString(),
                    "--save-bodies", bodies.toString()));
            if (alsoInline) {
                args.add("--include-body");
            }
            Process child = Child.start(dir.resolve("err.txt"), SMALL_HEAP,
                    args.toArray(String[]::new));
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
            JsonNode record = Records.read(out).getFirst();
            assertThat(record.get("ok").asBoolean()).as(record.toString()).isTrue();
            assertThat(Files.size(bodies.resolve("1.body"))).isEqualTo(1L << 30);
        }
    }

    @Test
    void twoHundredThousandUrlsRunInA128MibHeap() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 200_000);
            Path out = dir.resolve("out.jsonl");
            Process child = Child.start(dir.resolve("err.txt"), SMALL_HEAP, "fetch",
                    list.toString(), "-c", "64", "-o", out.toString());
            // About 45 s here; the bound is for a hung run, not a slow one (this is no benchmark).
            assertThat(child.waitFor(600, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
            try (var lines = Files.lines(out)) {
                assertThat(lines.count()).isEqualTo(200_000);
            }
        }
    }
}
