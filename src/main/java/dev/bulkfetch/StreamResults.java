package dev.bulkfetch;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * The results of one {@link Fetcher#stream}, with its source read by a feeder thread of its own.
 * Read by the consumer's thread, as it was, a source that is slow or waits for work (a live
 * queue, a crawler's frontier fed by the results themselves) held back results that had
 * finished, or waited for them for good. The feeder submits a request only while fewer than
 * {@code window} are submitted and not yet consumed, so a slow consumer still slows the fetching.
 * A source that fails ends the stream with its exception after the results of what it gave.
 *
 * <p>The feeder starts at the first {@link #hasNext()}, as a stream is lazy, and ends with its
 * source, or at {@link #stop()}: the stream is closed, or the fetcher (its {@link LiveRun} stops
 * every stream whose feeder has told it that it is feeding). A stream left unread and unclosed
 * keeps its feeder parked until the fetcher closes. The consumer's fields are its own; the
 * feeder shares with it only the queue, the semaphore and the stop and close flags, and with
 * close() the futures not yet done.
 *
 * <p>Closing the stream ({@link #close()}) does more than stop the feeder: it cancels what the
 * stream submitted and is not yet done, in flight or queued, since nobody will read those
 * results (a {@code limit(10)} or {@code findFirst} left up to the whole window running to its
 * end, for nothing). Only this stream's: the fetcher's other callers keep theirs. The fetcher's
 * own close only stops the feeder, as it promises the results of what was submitted; when that
 * stop leaves the source unread to its end, the stream ends, after those results, with a
 * {@link CancellationException}: ended normally, a stream cut short read as one whose requests
 * had all been fetched. The feeder cannot ask a stopped source whether it had more (that may wait
 * for good), so a source whose end it had not yet seen counts as cut short.
 */
final class StreamResults implements Iterator<FetchResult> {

    /** What the feeder tells the consumer last: how many it submitted, and why it stopped. */
    private record End(long submitted, Throwable failure) {
    }

    /** What the consumer is told when the fetcher's close left the source unread to its end. */
    static final String CUT_SHORT =
            "the fetcher was closed before every request was read from the source";

    /** What {@link #close()} tells a consumer that waits meanwhile: there is no more. */
    private static final Object CLOSED = new Object();

    private final Iterator<FetchRequest> requests;
    private final LiveRun run;
    private final boolean ordered;
    private final Semaphore slots;
    // Results (in completion order), or futures (in input order), then one End.
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    // The thread reading the source, started by the consumer's first hasNext(); read by
    // stop() to interrupt it.
    private volatile Thread feeder;
    // Set by stop() from any thread (the stream's or the fetcher's close); read by the feeder
    // between items.
    private volatile boolean stopped;
    // Set by close(), from the thread closing the stream; read by the feeder after each submit
    // and by the consumer, which finds nothing more once it is set.
    private volatile boolean closed;
    // Submitted and not yet done, by submission number, for close() to cancel: the feeder
    // adds each, whichever thread completes it removes it.
    private final ConcurrentNavigableMap<Long, CompletableFuture<FetchResult>> unfinished =
            new ConcurrentSkipListMap<>();
    // The consumer's.
    private CompletableFuture<FetchResult> head;
    private FetchResult next;
    private long consumed;
    private End end;

    StreamResults(Iterator<FetchRequest> requests, int window, boolean ordered, LiveRun run) {
        this.requests = requests;
        this.run = run;
        this.ordered = ordered;
        this.slots = new Semaphore(window);
    }

    @Override
    public boolean hasNext() {
        if (feeder == null) {
            feeder = Thread.ofVirtual().name("bulkfetch-stream").start(this::feed);
        }
        try {
            while (next == null) {
                if (closed) {
                    return false;
                }
                if (end != null && consumed == end.submitted()) {
                    if (end.failure() != null) {
                        Throwable failure = end.failure();
                        end = new End(consumed, null);
                        if (failure instanceof RuntimeException e) {
                            throw e;
                        }
                        if (failure instanceof Error e) {
                            throw e;
                        }
                        throw new CompletionException(failure);
                    }
                    return false;
                }
                Object event = head != null ? head : events.take();
                if (event == CLOSED) {
                    continue;
                } else if (event instanceof End last) {
                    end = last;
                } else if (event instanceof FetchResult result) {
                    next = result;
                } else {
                    // A future, in input order, kept until it is done: a wait for it that an
                    // interrupt ends must not lose it. get(), not join(): that wait must end.
                    @SuppressWarnings("unchecked")
                    CompletableFuture<FetchResult> inOrder =
                            (CompletableFuture<FetchResult>) event;
                    head = inOrder;
                    try {
                        next = inOrder.get();
                    } catch (CancellationException e) {
                        // Only close() cancels a stream's future: the stream has ended.
                        head = null;
                        return false;
                    }
                    head = null;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        }
    }

    @Override
    public FetchResult next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        FetchResult result = next;
        next = null;
        consumed++;
        slots.release();
        return result;
    }

    /**
     * The stream is closed: stops taking requests and cancels the ones submitted and not yet
     * done, which end as a {@code fetch} future's cancel ends them (withdrawn if not yet sent,
     * their connections closed if on the wire), without waiting for them. The consumer finds
     * no more results, one waiting for the next included.
     */
    void close() {
        closed = true;
        stop();
        // Newest first: an older one on the wire, ended, frees its slot, which a newer one
        // still queued would take, and be sent, were it not withdrawn already.
        unfinished.descendingMap().values().forEach(result -> result.cancel(false));
        events.add(CLOSED);
    }

    /** Stops taking requests (the fetcher is closed, or the stream); submitted ones still end. */
    void stop() {
        stopped = true;
        Thread running = feeder;
        if (running != null) {
            running.interrupt();
        }
    }

    /** Reads the source into the run, which meanwhile knows to stop it when it closes. */
    private void feed() {
        run.startedFeeding(this);
        long submitted = 0;
        Throwable failure = null;
        boolean readToTheEnd = false;
        try {
            while (true) {
                slots.acquire();
                if (stopped || run.closed()) {
                    break;
                }
                if (!requests.hasNext()) {
                    readToTheEnd = true;
                    break;
                }
                FetchRequest request = requests.next();
                if (stopped || run.closed()) {
                    // A source that took the interrupt in stride: stopped is stopped.
                    break;
                }
                CompletableFuture<FetchResult> result = run.submitOrCancelled(request);
                long number = ++submitted;
                unfinished.put(number, result);
                result.whenComplete((done, failed) -> unfinished.remove(number));
                if (closed) {
                    // Submitted as close() went over the others: it does not see this one.
                    result.cancel(false);
                }
                if (ordered) {
                    events.add(result);
                } else {
                    result.thenAccept(events::add);
                }
            }
        } catch (InterruptedException e) {
            // stop(), or the fetcher closing: the stream ends with what was submitted.
        } catch (Throwable e) {
            // The source failed; interrupted by a stop, it only ended early.
            failure = stopped || run.closed() ? null : e;
        }
        if (failure == null && !readToTheEnd && !closed && run.closed()) {
            // The fetcher's close, not the stream's, stopped the reading: say so, or the
            // consumer takes what it got for every result there was.
            failure = new CancellationException(CUT_SHORT);
        }
        run.stoppedFeeding(this);
        events.add(new End(submitted, failure));
    }
}
