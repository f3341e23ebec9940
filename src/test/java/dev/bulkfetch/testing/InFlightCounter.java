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
 *
 * <p>With {@code gatherMs} as well, a request is first held until {@code gather} requests are
 * held at once (the number is the path's first number, as in {@code /gather/64/17}), or until
 * {@code gatherMs} pass; then all of them go on together. A client that keeps its cap so brings
 * the peak to exactly the cap however slowly it opens its connections, and one that sends more
 * pushes the peak over it.
 */
public final class InFlightCounter implements ResponseDefinitionTransformerV2 {

    public static final String NAME = "in-flight-counter";

    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private final Object gate = new Object();
    // Guarded by gate: counts the times a gathering was complete and let go.
    private long released;

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        int current = now.incrementAndGet();
        peak.accumulateAndGet(current, Math::max);
        try {
            Parameters p = event.getTransformerParameters();
            if (p != null && p.containsKey("gatherMs")) {
                gather(gatherTarget(event.getRequest().getUrl()), p.getInt("gatherMs"));
            }
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

    /** Waits until {@code target} requests are held at once, or {@code maxMs} pass. */
    private void gather(int target, int maxMs) throws InterruptedException {
        long deadline = System.nanoTime() + maxMs * 1_000_000L;
        synchronized (gate) {
            long round = released;
            if (now.get() >= target) {
                released++;
                gate.notifyAll();
                return;
            }
            while (released == round) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) {
                    return;
                }
                gate.wait(leftMs);
            }
        }
    }

    private static int gatherTarget(String url) {
        String[] parts = url.split("/");
        return Integer.parseInt(parts[2]);
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
