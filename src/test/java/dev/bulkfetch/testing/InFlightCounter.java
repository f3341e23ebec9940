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
 * <p>With {@code gatherMs} as well, the first requests are held until as many are held at once
 * as the path's first number says (64 for {@code /gather/64/17}), or until {@code gatherMs}
 * pass; then all of them go on together. A client that keeps its cap so brings
 * the peak to exactly the cap however slowly it opens its connections, and one that sends more
 * pushes the peak over it.
 *
 * <p>With {@code untilReleased}, a request is held until the test calls {@link #release()} (or
 * 30 s pass), and from then on not held, until {@link #reset()}: a response that comes after
 * others because the test says so, not because a fixed hold outlasted them on a machine that
 * may be slow.
 */
public final class InFlightCounter implements ResponseDefinitionTransformerV2 {

    public static final String NAME = "in-flight-counter";

    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private final Object gate = new Object();
    // Guarded by gate: the first gathering is complete and has been let go.
    private boolean gathered;
    // Guarded by gate: release() was called since the last reset().
    private boolean released;

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        int current = now.incrementAndGet();
        peak.accumulateAndGet(current, Math::max);
        try {
            Parameters p = event.getTransformerParameters();
            if (p != null && p.containsKey("gatherMs")) {
                gather(gatherTarget(event.getRequest().getUrl()), p.getInt("gatherMs"));
            }
            if (p != null && p.containsKey("untilReleased")) {
                awaitRelease();
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

    /**
     * Until the first gathering is complete, waits until {@code target} requests are held at
     * once, or {@code maxMs} pass; after it, returns at once. Only the first group gathers: the
     * peak needs reaching once, and later groups, refilled a request at a time, need not line
     * up (a last group smaller than the target would wait out {@code maxMs}).
     */
    private void gather(int target, int maxMs) throws InterruptedException {
        long deadline = System.nanoTime() + maxMs * 1_000_000L;
        synchronized (gate) {
            if (!gathered && now.get() >= target) {
                gathered = true;
                gate.notifyAll();
            }
            while (!gathered) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) {
                    return;
                }
                gate.wait(leftMs);
            }
        }
    }

    private void awaitRelease() throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        synchronized (gate) {
            while (!released) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) {
                    return;
                }
                gate.wait(leftMs);
            }
        }
    }

    /** Lets go every {@code untilReleased} request held now, and holds none until reset(). */
    public void release() {
        synchronized (gate) {
            released = true;
            gate.notifyAll();
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
        synchronized (gate) {
            gathered = false;
            released = false;
        }
    }
}
