package dev.bulkfetch.testing;

import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts, at the server, the requests being worked on at once. A stub that names this
 * transformer holds its request for {@code holdMs} between counting it in and counting it out,
 * and counts it out before a byte of the response is written. So a client can only have seen the
 * response after the count dropped, and the count can never overstate the client's concurrency.
 */
public final class InFlightCounter implements ResponseDefinitionTransformerV2 {

    public static final String NAME = "in-flight-counter";

    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        int current = now.incrementAndGet();
        peak.accumulateAndGet(current, Math::max);
        try {
            Parameters p = event.getTransformerParameters();
            int hold = p != null && p.containsKey("holdMs") ? p.getInt("holdMs") : 0;
            if (hold > 0) {
                Thread.sleep(hold);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            now.decrementAndGet();
            served.incrementAndGet();
        }
        return event.getResponseDefinition();
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }

    public int peak() {
        return peak.get();
    }

    /** Requests being held right now. */
    public int inFlight() {
        return now.get();
    }

    public int served() {
        return served.get();
    }

    public void reset() {
        peak.set(0);
        served.set(0);
    }
}
