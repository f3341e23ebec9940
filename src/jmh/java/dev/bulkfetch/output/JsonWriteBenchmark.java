package dev.bulkfetch.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchResult;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/*
 * What writing one record costs, as FetchCommand sets the writer up:
 *  - jsonLines: records to stdout, through a 64 KiB buffer, flushed only when the driver is
 *    idle (here never: the buffer drains into a null stream as it fills);
 *  - jsonLinesFlushEach: records to an -o file, the journal, flushed after every record, so
 *    every record is one write(2). The file is /dev/null, so the figure is the system call
 *    without the disk.
 * Baselines: a Blackhole taking the record (the floor), and a tree per record, the thing the
 * streaming writer exists to avoid: the same fields put in a map and written by an
 * ObjectMapper. Setup checks that the tree writes the very bytes the writer does.
 *
 * Run: bench/jmh.sh JsonWriteBenchmark
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JsonWriteBenchmark {

    /** The record to write: a 200, or a 503 with its error object. */
    @State(Scope.Thread)
    public static class Records {
        @Param({"ok", "http"})
        public String record;

        FetchResult result;

        @Setup
        public void setUp() throws IOException {
            result = switch (record) {
                case "ok" -> new FetchResult(1234, "1234", "http://127.0.0.1:8089/items/1234",
                        "GET", 200, null, 1, 3_712_345, 1234, "event-loop", null, null);
                case "http" -> new FetchResult(1234, "1234",
                        "http://127.0.0.1:8089/status/503/1234", "GET", 503,
                        FetchError.of(ErrorKind.HTTP, "HTTP 503"), 3, 61_234_567, 87,
                        "event-loop", null, null);
                default -> throw new IllegalArgumentException("record: " + record);
            };
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (JsonLinesWriter writer = new JsonLinesWriter(bytes, false)) {
                writer.accept(result);
            }
            String streamed = bytes.toString(StandardCharsets.UTF_8);
            String tree = Tree.MAPPER.writeValueAsString(Tree.toMap(result)) + "\n";
            if (!streamed.equals(tree)) {
                throw new IllegalStateException("the baseline writes another record:\n"
                        + streamed + tree);
            }
        }
    }

    /** Records to stdout: buffered, flushed when idle. */
    @State(Scope.Thread)
    public static class Stdout {
        JsonLinesWriter writer;

        @Setup
        public void setUp() throws IOException {
            writer = new JsonLinesWriter(
                    new BufferedOutputStream(OutputStream.nullOutputStream(), 1 << 16), false);
        }

        @TearDown
        public void tearDown() throws IOException {
            writer.close();
        }
    }

    /** Records to an -o file: buffered, flushed after each record, opened as Journal does. */
    @State(Scope.Thread)
    public static class File {
        JsonLinesWriter writer;

        @Setup
        public void setUp() throws IOException {
            OutputStream out = Files.newOutputStream(Path.of("/dev/null"),
                    StandardOpenOption.APPEND);
            writer = new JsonLinesWriter(new BufferedOutputStream(out, 1 << 16), true, true);
        }

        @TearDown
        public void tearDown() throws IOException {
            writer.close();
        }
    }

    /** A tree per record: a map of the record's fields, written by databind. */
    static final class Tree {
        static final ObjectMapper MAPPER = new ObjectMapper();

        static Map<String, Object> toMap(FetchResult r) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("seq", r.seq());
            map.put("id", r.id());
            map.put("url", r.url());
            map.put("method", r.method());
            map.put("ok", r.ok());
            map.put("status", r.status());
            if (r.error() == null) {
                map.put("error", null);
            } else {
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("kind", r.error().kind().wireName());
                error.put("message", r.error().message());
                map.put("error", error);
            }
            map.put("attempts", r.attempts());
            map.put("latency_ms", Math.round(r.latencyMillis() * 1000) / 1000.0);
            map.put("bytes", r.bytes());
            map.put("engine", r.engine());
            return map;
        }
    }

    @Benchmark
    public void baselineBlackhole(Records records, Blackhole bh) {
        bh.consume(records.result);
    }

    @Benchmark
    public byte[] baselineTreePerRecord(Records records) throws IOException {
        return Tree.MAPPER.writeValueAsBytes(Tree.toMap(records.result));
    }

    @Benchmark
    public void jsonLines(Records records, Stdout out) throws IOException {
        out.writer.accept(records.result);
    }

    @Benchmark
    public void jsonLinesFlushEach(Records records, File out) throws IOException {
        out.writer.accept(records.result);
    }
}
