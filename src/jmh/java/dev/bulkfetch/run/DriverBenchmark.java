package dev.bulkfetch.run;

import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.engine.Engine;
import dev.bulkfetch.engine.Outcome;
import dev.bulkfetch.limit.Admission;
import dev.bulkfetch.limit.Dispatcher;
import dev.bulkfetch.limit.RateGate;
import dev.bulkfetch.output.JsonLinesWriter;
import dev.bulkfetch.output.Tally;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/*
 * One request's whole trip through the driver, with an engine that answers at once: dispatch
 * (Admission and the Dispatcher), the Sender (open rate gate, the engine, the hand-over queue),
 * then, as BulkRun's Driver.handle does, free the permit, build the record, tally it and write
 * it to a buffered null stream. This is bulkfetch's own per-request overhead, everything but the
 * network and the input; it should come to about the sum of the other benchmarks' figures. The
 * baseline is the fake engine alone (one completed future per request).
 *
 * Run: bench/jmh.sh DriverBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DriverBenchmark {

    private static final int CONCURRENCY = 32;

    /** An engine with no network: every request is a 200 of 1,234 bytes, there and then. */
    static final class InstantEngine implements Engine {
        private final Outcome ok = new Outcome(200, 1234, 3_712_345, null, null, null);

        @Override
        public String name() {
            return "instant";
        }

        @Override
        public CompletableFuture<Outcome> send(FetchRequest request) {
            return CompletableFuture.completedFuture(ok);
        }

        @Override
        public void close() {
        }
    }

    private final Attempt attempt = new Attempt(
            FetchRequest.get(1234, URI.create("http://127.0.0.1:8089/items/1234")), 0, 1);
    private final Engine engine = new InstantEngine();
    private final BlockingQueue<Sender.Done> completed = new LinkedBlockingQueue<>();
    private final Tally tally = new Tally();
    private Dispatcher<Attempt> dispatcher;
    private Sender sender;
    private JsonLinesWriter writer;

    @Setup
    public void setUp() throws IOException {
        dispatcher = new Dispatcher<>(new Admission(CONCURRENCY), 0, Attempt::host);
        sender = new Sender(engine, RateGate.of(null), null, completed);
        writer = new JsonLinesWriter(
                new BufferedOutputStream(OutputStream.nullOutputStream(), 1 << 16), false);
    }

    @TearDown
    public void tearDown() throws IOException {
        sender.close();
        writer.close();
    }

    @Benchmark
    public CompletableFuture<Outcome> baselineEngineOnly() {
        return engine.send(attempt.request());
    }

    @Benchmark
    public FetchResult perRequest() throws IOException {
        if (dispatcher.canAccept()) {
            dispatcher.enqueue(attempt);
        }
        dispatcher.promote(sender::send);
        Sender.Done done = completed.poll();
        dispatcher.finished(done.attempt());
        FetchResult result = Results.of(done.attempt().request(), done.outcome(),
                done.attempt().number(), engine.name());
        writer.accept(result);
        tally.add(result);
        return result;
    }
}
