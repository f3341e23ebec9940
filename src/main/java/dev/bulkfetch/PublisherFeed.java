package dev.bulkfetch;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CancellationException;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Feeds one {@link Fetcher#publisher} from its stream of results, on the thread that calls
 * {@link #feed}. Demand paces it: while a subscriber's buffer is full it waits. Once the fetcher
 * has closed it no longer waits for good on a subscriber that has stopped requesting (the thread
 * and every result it held were kept for as long as the program ran): a wait under way ends at
 * once, a later one after the close grace, and every subscriber then gets a
 * {@link CancellationException}.
 */
final class PublisherFeed {

    private final SubmissionPublisher<FetchResult> publisher;
    private final Duration grace;
    // Guards the three fields below: an interrupt lands only on a wait for a subscriber.
    private final Object lock = new Object();
    private Thread thread;
    private boolean offering;
    private boolean fetcherClosed;

    PublisherFeed(SubmissionPublisher<FetchResult> publisher, Duration grace) {
        this.publisher = publisher;
        this.grace = grace;
    }

    /** Hands each result to the subscribers until there are none left or the results end. */
    void feed(Stream<FetchResult> results) {
        synchronized (lock) {
            thread = Thread.currentThread();
        }
        try (results) {
            Iterator<FetchResult> each = results.iterator();
            // Checked before each hasNext(), which may take and submit more requests.
            while (publisher.getNumberOfSubscribers() > 0 && each.hasNext()) {
                if (!offer(each.next())) {
                    publisher.closeExceptionally(new CancellationException("the fetcher closed"
                            + " while a subscriber had stopped requesting"));
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
            // Long.MAX_VALUE: no limit, but an interrupt ends the wait, where submit's would not.
            wait = fetcherClosed ? grace.toNanos() : Long.MAX_VALUE;
        }
        try {
            return publisher.offer(result, wait, TimeUnit.NANOSECONDS, null) >= 0;
        } finally {
            synchronized (lock) {
                offering = false;
                // Only fetcherClosed() interrupts, and only here: once out, it has done its work.
                Thread.interrupted();
            }
        }
    }

    /** The fetcher has closed: a wait for a subscriber that is under way ends now. */
    void fetcherClosed() {
        synchronized (lock) {
            fetcherClosed = true;
            if (offering) {
                thread.interrupt();
            }
        }
    }
}
