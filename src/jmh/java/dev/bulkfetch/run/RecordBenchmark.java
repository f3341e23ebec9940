package dev.bulkfetch.run;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.engine.Outcome;
import dev.bulkfetch.output.Tally;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/*
 * What turns an engine's Outcome and its request into the item's record (Results.of), and
 * that plus the summary's accounting every record passes through on its way out (Tally.add:
 * counters, status and error maps, the latency histogram). The baseline builds the same
 * FetchResult from fields already at hand, so the difference is the work Results adds.
 *
 * Outcomes: a 200, a 503 (an HTTP error the record must describe) and a reset (a transport
 * error the engine already classified).
 *
 * Run: bench/jmh.sh RecordBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordBenchmark {

    @Param({"ok", "http", "reset"})
    public String outcome;

    private final FetchRequest request =
            FetchRequest.get(1234, URI.create("http://127.0.0.1:8089/items/1234"));
    private final String url = request.url().toString();
    private final Tally tally = new Tally();
    private Outcome done;
    private FetchError error;

    @Setup
    public void setUp() {
        done = switch (outcome) {
            case "ok" -> new Outcome(200, 1234, 3_700_000, null, null, null);
            case "http" -> new Outcome(503, 87, 61_200_000, null, null, null);
            case "reset" -> Outcome.failure(FetchError.of(ErrorKind.RESET,
                    "connection reset by peer"), 0, 171_400_000);
            default -> throw new IllegalArgumentException("outcome: " + outcome);
        };
        error = Results.of(request, done, 1, "event-loop").error();
    }

    @Benchmark
    public FetchResult baselineConstructor() {
        return new FetchResult(request.seq(), request.id(), url, request.method(),
                done.status(), error, 1, done.latencyNanos(), done.bytes(), "event-loop",
                done.body(), null);
    }

    @Benchmark
    public FetchResult results() {
        return Results.of(request, done, 1, "event-loop");
    }

    @Benchmark
    public FetchResult resultsAndTally() {
        FetchResult result = Results.of(request, done, 1, "event-loop");
        tally.add(result);
        return result;
    }
}
