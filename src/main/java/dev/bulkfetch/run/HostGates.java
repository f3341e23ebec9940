package dev.bulkfetch.run;

import dev.bulkfetch.Rate;
import dev.bulkfetch.limit.RateGate;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A run's per-host state under {@code --rate-per-host}: each host's rate gate, and which hosts
 * have an attempt waiting for its start. The {@link Sender} paces every start through its
 * host's gate as well as the run's, and tells this class as an attempt begins and ends its
 * wait; the driver asks it, through the sender, which hosts to leave alone for now.
 *
 * <p>It lives in {@code run}, not {@code limit}, because what it counts are the run's
 * attempts, and {@code limit} knows nothing of them. No lock but the sweep's: the sender calls
 * in from the driver, the timer, an engine's thread (a 429, a redirect), a stop's or a cancel's.
 */
final class HostGates {

    private static final int FIRST_SWEEP = 1024;
    private static final Duration RECOVERY_STEP = Duration.ofSeconds(5);

    private final Rate perHost;
    private final LongSupplier nanoTime;
    // Created on first use by whichever thread asks (see above); idle ones are swept out when
    // the map has doubled since the last sweep, so it stays in proportion to the busy hosts.
    private final Map<String, RateGate> hostRates = new ConcurrentHashMap<>();
    private int sweepAt = FIRST_SWEEP;  // guarded by hostRates' monitor
    // The attempts waiting for a start (held for the warm-up, or for their reservation), and
    // how many per host. Not those backing off: a retry's backoff (a Retry-After of minutes)
    // must not stop its host's other items.
    private final Set<Attempt> waitingForStart = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> waitingPerHost = new ConcurrentHashMap<>();

    /** Gates at {@code perHost} each, reading {@code nanoTime} (tests pass a fake clock). */
    HostGates(Rate perHost, LongSupplier nanoTime) {
        this.perHost = perHost;
        this.nanoTime = nanoTime;
    }

    /** The host's gate, made on first use; sweeps out idle gates as the map grows. */
    RateGate gate(String host) {
        RateGate gate = hostRates.get(host);
        if (gate != null) {
            return gate;
        }
        synchronized (hostRates) {
            if (hostRates.size() >= sweepAt) {
                // A gate that reserved a start keeps it as activity until that start has passed
                // by a window, so no gate that the sender's sendNow will still look up is swept.
                hostRates.values().removeIf(RateGate::forgettable);
                sweepAt = Math.max(FIRST_SWEEP, 2 * hostRates.size());
            }
            return hostRates.computeIfAbsent(host,
                    h -> new RateGate(perHost, RECOVERY_STEP, nanoTime));
        }
    }

    /** Every gate's starts so far counted as made now: the run's warm-up is over. */
    void countStartsSoFarAsNow() {
        hostRates.values().forEach(RateGate::countStartsSoFarAsNow);
    }

    /** Per-host gates held now (for tests: idle ones are swept as hosts are added). */
    int size() {
        return hostRates.size();
    }

    /** True while {@code host} has an attempt waiting for its start. */
    boolean waitsForStart(String host) {
        return waitingPerHost.containsKey(host);
    }

    /** {@code attempt} now waits for its start. */
    void startsWaiting(Attempt attempt) {
        if (waitingForStart.add(attempt)) {
            waitingPerHost.merge(attempt.host(), 1, Integer::sum);
        }
    }

    /**
     * {@code attempt} is on the wire or handed back; true when it was the last of its host's
     * to wait, so the driver is to be woken. Counts once per attempt, whichever way it leaves.
     */
    boolean stopsWaiting(Attempt attempt) {
        return waitingForStart.remove(attempt)
                && waitingPerHost.computeIfPresent(attempt.host(),
                        (host, n) -> n == 1 ? null : n - 1) == null;
    }
}
