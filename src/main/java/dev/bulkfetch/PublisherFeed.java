package dev.bulkfetch;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Feeds one {@link Fetcher#publisher} from its stream of results, on the thread that calls
 * {@link #feed}. Demand paces it: while a subscriber's buffer is full it waits. Once the fetcher
 * has closed it waits no longer than the close grace for a subscriber to take the next result
 * (the thread and every result it held were kept for as long as the program ran); a subscriber
 * that is only slow gets every result. Past the grace, every subscriber gets a
 * {@link CancellationException}.
 */
final class PublisherFeed {

    private final SubmissionPublisher<FetchResult> publisher;
    private final Duration grace;
    // Guards the fields below: an interrupt lands only on the wait it was meant for.
    private final Object lock = new Object();
    private Thread thread;
    private boolean offering;
    private long offers;
    private boolean fetcherClosed;

    PublisherFeed(SubmissionPublisher<FetchResult> publisher, Duration grace) {
        this.publisher = publisher;
        this.grace = grace;
    }

    /** Hands each result to the subscribers until there are none left or the results end. */
    void feed(Supplier<Stream<FetchResult>> source) {
        synchronized (lock) {
            thread = Thread.currentThread();
        }
        // Made inside: a fetcher closed before the first subscriber came refuses a stream,
        // and the subscriber must hear so, not wait for good.
        try (Stream<FetchResult> results = source.get()) {
            Iterator<FetchResult> each = results.iterator();
            // Checked before each hasNext(), which may take and submit more requests.
            while (publisher.getNumberOfSubscribers() > 0 && each.hasNext()) {
                if (!offer(each.next())) {
                    publisher.closeExceptionally(new CancellationException("the fetcher closed"
                            + " and a subscriber took no result for the close grace ("
                            + grace.toMillis() + " ms)"));
                    return;
                }
            }
            publisher.close();
        } catch (Throwable e) {
            // Any failure, an Error too, must reach the subscribers, or they wait for good.
            publisher.closeExceptionally(e);
        }
    }

    /** Whether every subscriber took {@code result}. */
    private boolean offer(FetchResult result) {
        long wait;
        synchronized (lock) {
            offering = true;
            offers++;
            // Long.MAX_VALUE: no limit, but an interrupt ends the wait, where submit's would not.
            wait = fetcherClosed ? grace.toNanos() : Long.MAX_VALUE;
        }
        try {
            return publisher.offer(result, wait, TimeUnit.NANOSECONDS, null) >= 0;
        } finally {
            synchronized (lock) {
                offering = false;
                // Only fetcherClosed() interrupts, and only a wait: once out, it has done its work.
                Thread.interrupted();
            }
        }
    }

    /**
     * The fetcher has closed: a wait for a subscriber under way ends when the grace is out,
     * and each later one waits at most the grace.
     */
    void fetcherClosed() {
        long waiting;
        synchronized (lock) {
            fetcherClosed = true;
            if (!offering) {
                return;
            }
            waiting = offers;
        }
        CompletableFuture.delayedExecutor(grace.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            synchronized (lock) {
                if (offering && offers == waiting) {
                    thread.interrupt();
                }
            }
        });
    }
}
