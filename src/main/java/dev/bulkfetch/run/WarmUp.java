package dev.bulkfetch.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The {@link Sender}'s warm-up under a rate. The first request goes alone and the rest wait
 * until it has completed, or a second has passed (a first request to a server that hangs held
 * the run for its timeout): a cold client (class loading, the first connections) would
 * otherwise send its first requests late and all together, and the server would count more
 * than the rate in its first second.
 *
 * <p>The sender asks it before each send ({@link #holdsBack}), tells it when a request
 * completes ({@link #release}), and takes back what it holds on a stop ({@link #stop}); what
 * waited is handed to the sender's {@code onWarm}, outside the lock, to go paced.
 */
final class WarmUp {

    /** The longest the first request under a rate holds the others back. */
    private static final Duration LIMIT = Duration.ofSeconds(1);

    private final ScheduledExecutorService timer;
    private final Consumer<List<Attempt>> onWarm;
    // Until the first request under a rate has completed, later sends wait here; guarded by
    // this. Null once the run is warm (or when no rate is set).
    private List<Attempt> heldUntilWarm;
    // Whether the first request under a rate has gone; guarded by this.
    private boolean probeSent;

    /**
     * A warm-up that holds requests back only when {@code limited} (a rate is set); its limit
     * runs on {@code timer}, and {@code onWarm} gets what waited, once.
     */
    WarmUp(boolean limited, ScheduledExecutorService timer, Consumer<List<Attempt>> onWarm) {
        this.timer = timer;
        this.onWarm = onWarm;
        this.heldUntilWarm = limited ? new ArrayList<>() : null;
    }

    /**
     * True when {@code attempt} is held here until the run is warm; false when it may go now:
     * the run is warm, no rate is set, or it is the first request, which starts the limit.
     */
    synchronized boolean holdsBack(Attempt attempt) {
        if (heldUntilWarm != null) {
            if (probeSent) {
                heldUntilWarm.add(attempt);
                return true;
            }
            probeSent = true;
            // A first request that hangs must not hold the run for its whole timeout.
            timer.schedule(this::release, LIMIT.toNanos(), TimeUnit.NANOSECONDS);
        }
        return false;
    }

    /**
     * The first request has completed, or the warm-up's limit passed: the run is warm, and
     * what waited goes, paced. Later calls find nothing held.
     */
    void release() {
        List<Attempt> held;
        synchronized (this) {
            held = heldUntilWarm;
            heldUntilWarm = null;
        }
        if (held != null) {
            onWarm.accept(held);
        }
    }

    /** Ends the warm-up for good, as a stop does: what it held, to be handed back unsent. */
    synchronized List<Attempt> stop() {
        List<Attempt> held = heldUntilWarm == null ? List.of() : heldUntilWarm;
        heldUntilWarm = null;
        return held;
    }
}
