package dev.bulkfetch.run;

import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.limit.Admission;
import dev.bulkfetch.limit.Dispatcher;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/*
 * One item through the Dispatcher as the driver takes it: may I read another line, queue it,
 * start what fits, and later free its permit and host slot. The items are Attempts keyed by
 * Attempt::host, exactly as BulkRun wires it, so the cost of the per-host key is counted.
 * The baseline is the trivial equivalent: a queue and a Semaphore.
 *
 * Run: bench/jmh.sh DispatchBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DispatchBenchmark {

    private static final int CONCURRENCY = 32;

    /** 0 is the default (no --per-host). */
    @Param({"0", "8"})
    public int perHost;

    private final Attempt attempt = new Attempt(
            FetchRequest.get(1234, URI.create("http://127.0.0.1:8089/items/1234")), 0, 1);
    private Dispatcher<Attempt> dispatcher;
    private final ArrayDeque<Attempt> queue = new ArrayDeque<>();
    private final Semaphore semaphore = new Semaphore(CONCURRENCY);
    // What the last promote started; read back so the start cannot be optimised away.
    private Attempt started;
    private final Consumer<Attempt> start = a -> started = a;

    @Setup
    public void setUp() {
        dispatcher = new Dispatcher<>(new Admission(CONCURRENCY), perHost, Attempt::host);
    }

    @Benchmark
    public Attempt baselineQueueAndSemaphore() {
        if (semaphore.availablePermits() > 0) {
            queue.add(attempt);
        }
        Attempt next = queue.peek();
        if (next != null && semaphore.tryAcquire()) {
            queue.poll();
            started = next;
        }
        semaphore.release();
        return started;
    }

    @Benchmark
    public Attempt dispatch() {
        if (dispatcher.canAccept()) {
            dispatcher.enqueue(attempt);
        }
        dispatcher.promote(start);
        dispatcher.finished(started);
        return started;
    }
}
