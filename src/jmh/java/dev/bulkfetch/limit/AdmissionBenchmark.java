package dev.bulkfetch.limit;

import dev.bulkfetch.Rate;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/*
 * What admitting one request costs the driver. The run's driver thread takes and gives back
 * every permit itself (engine threads only queue completions for it), so each figure is the
 * uncontended single-thread cost, as in a run. The baseline is the cheapest exact cap the JDK
 * offers, an uncontended Semaphore; the bulkhead adds its own bookkeeping on top.
 *
 * The rate gate is what Sender does for every send: reserve() when the attempt is handed over,
 * then waitNow() and recordSend() as it goes out. Without --rate the gate is open and should
 * cost next to nothing; with one, each call reads the clock and takes the gate's lock.
 *
 * Run: bench/jmh.sh AdmissionBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AdmissionBenchmark {

    /** The default -c. */
    private static final int CONCURRENCY = 32;

    private final Semaphore semaphore = new Semaphore(CONCURRENCY);
    private final Admission admission = new Admission(CONCURRENCY);

    /** The rate gate with and without a configured rate. */
    @State(Scope.Thread)
    public static class Gate {
        /**
         * "none" is the default (no --rate). 10000/s keeps the sliding window small (10,000
         * start times) and the limiter's reservations far short of its one-day timeout within
         * an iteration, so the path measured is the one a real run takes.
         */
        @Param({"none", "10000/s"})
        public String rate;

        RateGate gate;

        // Afresh each iteration: reservations run ahead of the clock by a rate's spacing each.
        @Setup(Level.Iteration)
        public void setUp() {
            gate = RateGate.of(rate.equals("none") ? null : Rate.parse(rate));
        }
    }

    @Benchmark
    public boolean baselineSemaphore() {
        boolean taken = semaphore.tryAcquire();
        semaphore.release();
        return taken;
    }

    @Benchmark
    public boolean admission() {
        boolean taken = admission.tryAcquire();
        admission.release();
        return taken;
    }

    /** One send's calls on the gate: reserve, then the window check and the count. */
    @Benchmark
    public void rateGate(Gate state, Blackhole bh) {
        RateGate gate = state.gate;
        bh.consume(gate.reserve());
        bh.consume(gate.waitNow());
        gate.recordSend();
    }
}
