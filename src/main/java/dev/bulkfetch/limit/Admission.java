package dev.bulkfetch.limit;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the requests in flight with a resilience4j bulkhead. Permits are taken without waiting
 * ({@code maxWaitDuration} zero): the caller that fails to get one waits for a completion instead,
 * so no thread, and above all no Netty thread, ever parks inside the bulkhead. A permit is
 * released from whichever thread completes the request.
 *
 * <p>Also keeps the most permits seen taken at once, for the summary.
 */
public final class Admission {

    private final Bulkhead bulkhead;
    private final int limit;
    // Requests holding a permit; written on acquire and release from any thread.
    private final AtomicInteger inFlight = new AtomicInteger();
    // The highest value inFlight has had.
    private final AtomicInteger peak = new AtomicInteger();

    public Admission(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("concurrency < 1: " + limit);
        }
        this.limit = limit;
        this.bulkhead = Bulkhead.of("bulkfetch", BulkheadConfig.custom()
                .maxConcurrentCalls(limit)
                .maxWaitDuration(Duration.ZERO)
                .fairCallHandlingStrategyEnabled(false)
                .build());
    }

    /** Takes a permit if one is free; never waits. */
    boolean tryAcquire() {
        if (!bulkhead.tryAcquirePermission()) {
            return false;
        }
        int now = inFlight.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
        return true;
    }

    /** Gives back a permit taken by {@link #tryAcquire()}. */
    void release() {
        inFlight.decrementAndGet();
        bulkhead.onComplete();
    }

    /** Permits free now. */
    int available() {
        return bulkhead.getMetrics().getAvailableConcurrentCalls();
    }

    public int limit() {
        return limit;
    }

    public int inFlight() {
        return inFlight.get();
    }

    public int peakInFlight() {
        return peak.get();
    }
}
