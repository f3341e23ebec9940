package dev.bulkfetch.limit;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Decides which waiting item starts next, read the way OkHttp's {@code Dispatcher} is: a ready
 * queue in input order and the running count per host; an item starts when the global cap (the
 * {@link Admission} bulkhead) and its host's cap both have room. Items whose host is full are
 * skipped, not waited for, so one slow host never holds up the others (no head-of-line
 * blocking).
 *
 * <p>Confined to the run's driver thread: every method is called from it, so there is no lock.
 * The ready queue holds at most as many items as the global cap (see {@link #canAccept()}).
 *
 * @param <T> the item type
 */
public final class Dispatcher<T> {

    private final Admission admission;
    private final int perHost;
    private final Function<T, String> hostOf;
    private final LinkedList<T> ready = new LinkedList<>();
    private final Map<String, Integer> runningPerHost = new HashMap<>();

    /** A dispatcher over {@code admission}, with {@code perHost} (0 for none) per host. */
    public Dispatcher(Admission admission, int perHost, Function<T, String> hostOf) {
        this.admission = admission;
        this.perHost = perHost;
        this.hostOf = hostOf;
    }

    /**
     * True when one more item may be read from the input: a global permit is free (so reading
     * ahead can start something) and the ready queue is below the global cap.
     */
    public boolean canAccept() {
        return admission.available() > 0 && ready.size() < admission.limit();
    }

    public void enqueue(T item) {
        ready.add(item);
    }

    public int readyCount() {
        return ready.size();
    }

    /** Starts, in input order, every ready item that fits now; skips items of full hosts. */
    public void promote(Consumer<T> start) {
        Iterator<T> it = ready.iterator();
        while (it.hasNext()) {
            T item = it.next();
            // The host key is built only when per-host caps are on: it is a string per item.
            String host = perHost > 0 ? hostOf.apply(item) : null;
            if (host != null && runningPerHost.getOrDefault(host, 0) >= perHost) {
                continue;
            }
            if (!admission.tryAcquire()) {
                return;
            }
            it.remove();
            if (perHost > 0) {
                runningPerHost.merge(host, 1, Integer::sum);
            }
            start.accept(item);
        }
    }

    /** {@code item}, started by {@link #promote}, is done: its permit and host slot free up. */
    public void finished(T item) {
        if (perHost > 0) {
            runningPerHost.computeIfPresent(hostOf.apply(item), (h, n) -> n == 1 ? null : n - 1);
        }
        admission.release();
    }
}
