package dev.bulkfetch.mock;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.ArrayDeque;

/**
 * A server-side rate limit, as an API enforces one: a token bucket of {@code capacity} tokens
 * refilled at {@code perSecond}; a request that finds it empty gets 429 with
 * {@code Retry-After: 1}. Counts what arrived and the most arrivals in any one-second window,
 * to check a client's rate from the server's side, in memory bounded by one second of
 * arrivals. Global ({@code serve --limit}) or for the stubs that name it (tests).
 */
public final class TokenBucket implements ResponseDefinitionTransformerV2 {

    public static final String NAME = "token-bucket";
    private static final long SECOND = 1_000_000_000L;

    private final double perSecond;
    private final double capacity;
    private final boolean global;
    // All guarded by this.
    private double tokens;
    private long lastRefill = System.nanoTime();
    private final ArrayDeque<Long> lastSecond = new ArrayDeque<>();
    private int maxInAnySecond;
    private long firstArrival;
    private long lastArrival;
    private long busiestSecondEnd;
    private long arrivals;
    private long refused;

    /** A bucket for the stubs that name {@link #NAME}. */
    public TokenBucket(double perSecond, double capacity) {
        this(perSecond, capacity, false);
    }

    /** A bucket, over every stub when {@code global}. */
    public TokenBucket(double perSecond, double capacity, boolean global) {
        this.perSecond = perSecond;
        this.capacity = capacity;
        this.global = global;
        this.tokens = capacity;
    }

    @Override
    public synchronized ResponseDefinition transform(ServeEvent event) {
        if (!event.getResponseDefinition().wasConfigured()) {
            // No stub matched (WireMock applies global transformers to its 404 too): not an
            // API call, neither limited nor counted. The benchmarks warm the server this way.
            return event.getResponseDefinition();
        }
        long now = System.nanoTime();
        if (arrivals++ == 0) {
            firstArrival = now;
        }
        lastArrival = now;
        lastSecond.addLast(now);
        while (now - lastSecond.peekFirst() >= SECOND) {
            lastSecond.removeFirst();
        }
        if (lastSecond.size() > maxInAnySecond) {
            maxInAnySecond = lastSecond.size();
            busiestSecondEnd = now;
        }
        tokens = Math.min(capacity, tokens + (now - lastRefill) * perSecond / 1e9);
        lastRefill = now;
        if (tokens < 1) {
            refused++;
            return ResponseDefinitionBuilder.responseDefinition().withStatus(429)
                    .withHeader("Retry-After", "1").withBody("slow down").build();
        }
        tokens -= 1;
        return event.getResponseDefinition();
    }

    /** The most requests that arrived within any one-second window. */
    public synchronized int maxInAnySecond() {
        return maxInAnySecond;
    }

    /** From the first arrival to the last: how long the client took, its start-up left out. */
    public synchronized java.time.Duration span() {
        return java.time.Duration.ofNanos(lastArrival - firstArrival);
    }

    public synchronized long refused() {
        return refused;
    }

    public synchronized long arrivals() {
        return arrivals;
    }

    /** One line for a log: arrivals, refusals, the busiest second (none before an arrival). */
    public synchronized String stats() {
        if (arrivals == 0) {
            return "arrivals 0, refused (429) 0";
        }
        return "arrivals " + arrivals + ", refused (429) " + refused
                + ", most in any one-second window " + maxInAnySecond + " (the window ending "
                + String.format(java.util.Locale.ROOT, "%.2f",
                        (busiestSecondEnd - firstArrival) / 1e9) + " s after the first arrival)";
    }

    @Override
    public boolean applyGlobally() {
        return global;
    }

    @Override
    public String getName() {
        return NAME;
    }
}
