package dev.bulkfetch.limit;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Decides which waiting item starts next, read the way OkHttp's {@code Dispatcher} is: a ready
 * queue and the running count per host; an item starts when the global cap (the
 * {@link Admission} bulkhead) and its host's cap both have room. Items whose host is full are
 * skipped, not waited for, so one slow host does not hold up the others (no head-of-line
 * blocking). Under a rate per host, a host whose next item already waits for its start is
 * skipped the same way: more of its items would only sit on permits the other hosts could use.
 *
 * <p>A retry holds no place while it backs off (it is not in flight: {@link #finished} frees
 * its places, and a {@code Retry-After} of an hour must not hold a {@code -c} slot for an
 * hour); once its backoff is over it comes back through {@link #retry} and goes ahead of the
 * items not yet started, taking its places again first, so retries never pass the caps, are
 * not starved by a stream of new items, and under {@code --ordered} the item the reorder
 * window waits for is not queued behind the items it holds up.
 *
 * <p>The ready queue is bounded, as the input is streamed: by the global cap, or when kept per
 * host by {@link #LOOKAHEAD} items, so a list grouped by host (a run of one host's URLs longer
 * than {@code -c}) still reaches the next host's. Kept per host, it is in
 * order of each host's first waiting item, so starting what fits costs a step per waiting host,
 * not per item.
 *
 * <p>Confined to the run's driver thread: every method is called from it, so there is no lock.
 *
 * @param <T> the item type
 */
public final class Dispatcher<T> {

    /**
     * How many items are read ahead for hosts that have room, when kept per host (public for
     * the run's bound on retries backing off; the package is not exported).
     */
    public static final int LOOKAHEAD = 1024;

    private final Admission admission;
    private final int perHost;
    private final Function<T, String> hostOf;
    private final Predicate<String> waitsForStart;
    private final boolean byHost;
    private final int bound;
    // Without per-host limits: the items in input order.
    private final ArrayDeque<T> ready = new ArrayDeque<>();
    // With them: each host's items in input order, hosts in order of their first waiting item.
    private final Map<String, ArrayDeque<T>> readyByHost = new LinkedHashMap<>();
    // Retries whose backoff is over, in the order they came back, kept as the ready items are
    // (per host or not): started before any of those.
    private final ArrayDeque<T> retries = new ArrayDeque<>();
    private final Map<String, ArrayDeque<T>> retriesByHost = new LinkedHashMap<>();
    private final Map<String, Integer> runningPerHost = new HashMap<>();
    private int readyCount;
    // Of those, the retries: the run counts them with those still backing off, as it bounds
    // the retries it holds.
    private int retryCount;

    /** A dispatcher over {@code admission}, with {@code perHost} (0 for none) per host. */
    public Dispatcher(Admission admission, int perHost, Function<T, String> hostOf) {
        this(admission, perHost, hostOf, null);
    }

    /**
     * As above, and a host for which {@code waitsForStart} is true gets no item until it is
     * false again; whoever makes it false must then wake the driver, which calls
     * {@link #promote} again. Null when no host waits (no rate per host).
     */
    public Dispatcher(Admission admission, int perHost, Function<T, String> hostOf,
                      Predicate<String> waitsForStart) {
        this.admission = admission;
        this.perHost = perHost > 0 ? perHost : Integer.MAX_VALUE;
        this.hostOf = hostOf;
        this.waitsForStart = waitsForStart == null ? host -> false : waitsForStart;
        this.byHost = perHost > 0 || waitsForStart != null;
        this.bound = byHost ? Math.max(admission.limit(), LOOKAHEAD) : admission.limit();
    }

    /**
     * True when one more item may be read from the input: a global permit is free (so reading
     * ahead can start something) and the ready queue is below its bound.
     */
    public boolean canAccept() {
        return admission.available() > 0 && readyCount < bound;
    }

    public void enqueue(T item) {
        add(item, ready, readyByHost);
    }

    /**
     * {@code item}, which backed off after {@link #finished}, is to go again: it waits for its
     * places as a ready item does, but ahead of every item not yet started.
     */
    public void retry(T item) {
        add(item, retries, retriesByHost);
        retryCount++;
    }

    private void add(T item, ArrayDeque<T> queue, Map<String, ArrayDeque<T>> byHostQueues) {
        if (byHost) {
            byHostQueues.computeIfAbsent(hostOf.apply(item), h -> new ArrayDeque<>()).add(item);
        } else {
            queue.add(item);
        }
        readyCount++;
    }

    public int readyCount() {
        return readyCount;
    }

    /** Of {@link #readyCount}, the retries ({@link #retry}) still waiting for their places. */
    public int retryCount() {
        return retryCount;
    }

    /**
     * Starts every ready item that fits now, retries first, in input order per host; skips full
     * hosts and hosts waiting for a start.
     */
    public void promote(Consumer<T> start) {
        boolean room = byHost ? startWhatFits(retriesByHost, start, true)
                : startEach(retries, start, true);
        if (room) {
            if (byHost) {
                startWhatFits(readyByHost, start, false);
            } else {
                startEach(ready, start, false);
            }
        }
    }

    /**
     * Starts {@code queue}'s items while permits are free; false when they ran out. {@code
     * retries}: the queue is of retries, counted apart.
     */
    private boolean startEach(ArrayDeque<T> queue, Consumer<T> start, boolean retries) {
        while (!queue.isEmpty()) {
            if (!admission.tryAcquire()) {
                return false;
            }
            taken(retries);
            start.accept(queue.poll());
        }
        return true;
    }

    /**
     * Starts the items of each host in {@code queues} that fit its cap, while permits are
     * free; false when they ran out. {@code retries}: the queues are of retries.
     */
    private boolean startWhatFits(Map<String, ArrayDeque<T>> queues, Consumer<T> start,
                                  boolean retries) {
        Iterator<Map.Entry<String, ArrayDeque<T>>> hosts = queues.entrySet().iterator();
        while (hosts.hasNext()) {
            Map.Entry<String, ArrayDeque<T>> host = hosts.next();
            ArrayDeque<T> waiting = host.getValue();
            int running = runningPerHost.getOrDefault(host.getKey(), 0);
            while (running < perHost && !waiting.isEmpty()
                    && !waitsForStart.test(host.getKey())) {
                if (!admission.tryAcquire()) {
                    return false;
                }
                running++;
                runningPerHost.put(host.getKey(), running);
                taken(retries);
                start.accept(waiting.poll());
            }
            if (waiting.isEmpty()) {
                hosts.remove();
            }
        }
        return true;
    }

    // Counted before the start, which may hand its own item straight back (a retry, say):
    // without per-host queues only, as those are being walked during the pass, which a new
    // host's queue would break. BulkRun's starts are asynchronous and re-enter neither.
    private void taken(boolean retry) {
        readyCount--;
        if (retry) {
            retryCount--;
        }
    }

    /**
     * {@code item}, started by {@link #promote}, is done, or backs off before a retry: its
     * permit and host slot free up.
     */
    public void finished(T item) {
        if (byHost) {
            runningPerHost.computeIfPresent(hostOf.apply(item), (h, n) -> n == 1 ? null : n - 1);
        }
        admission.release();
    }
}
