package dev.bulkfetch.testing;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A server-side rate limit, as an API enforces one: a token bucket of {@code capacity} tokens
 * refilled at {@code perSecond}; a request that finds it empty gets 429 with
 * {@code Retry-After: 1}. Records when every request arrived, to check the client's rate from the
 * server's side.
 */
public final class TokenBucket implements ResponseDefinitionTransformerV2 {

    public static final String NAME = "token-bucket";

    private final double perSecond;
    private final double capacity;
    // All guarded by this.
    private double tokens;
    private long lastRefill = System.nanoTime();
    private final List<Long> arrivals = new ArrayList<>();
    private int refused;

    public TokenBucket(double perSecond, double capacity) {
        this.perSecond = perSecond;
        this.capacity = capacity;
        this.tokens = capacity;
    }

    @Override
    public synchronized ResponseDefinition transform(ServeEvent event) {
        long now = System.nanoTime();
        arrivals.add(now);
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
        List<Long> sorted = new ArrayList<>(arrivals);
        sorted.sort(null);
        int best = 0;
        int from = 0;
        for (int to = 0; to < sorted.size(); to++) {
            while (sorted.get(to) - sorted.get(from) >= 1_000_000_000L) {
                from++;
            }
            best = Math.max(best, to - from + 1);
        }
        return best;
    }

    public synchronized int refused() {
        return refused;
    }

    public synchronized int arrivals() {
        return arrivals.size();
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }
}
