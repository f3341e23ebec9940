package dev.bulkfetch.limit;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;

/**
 * Caps the requests in flight with a resilience4j bulkhead. Permits are taken without waiting
 * ({@code maxWaitDuration} zero): the caller that fails to get one waits for a completion instead,
 * so no thread, and above all no Netty thread, ever parks inside the bulkhead. Permits are taken
 * and released by the run's driver thread alone, as it starts an item (or a retry) and as it
 * takes the item's final outcome off the queue (or an outcome it retries after a backoff: a
 * retry waiting out its backoff holds no permit). (The summary's most in flight is counted
 * where requests go on the wire, in the sender: a permit may wait for the rate.)
 */
public final class Admission {

    private final Bulkhead bulkhead;
    private final int limit;

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
        return bulkhead.tryAcquirePermission();
    }

    /** Gives back a permit taken by {@link #tryAcquire()}. */
    void release() {
        bulkhead.onComplete();
    }

    /** Permits free now. */
    int available() {
        return bulkhead.getMetrics().getAvailableConcurrentCalls();
    }

    public int limit() {
        return limit;
    }
}
