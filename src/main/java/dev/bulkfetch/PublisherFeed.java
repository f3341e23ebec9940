package dev.bulkfetch;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Feeds one {@link Fetcher#publisher} from its stream of results, on the thread that calls
 * {@link #feed}. Demand paces it: while a subscriber's buffer is full it waits. Once the fetcher
 * has closed it waits no longer than the close grace for a subscriber to take the next result
 * (the thread and every result it held were kept for as long as the program ran); a subscriber
 * that is only slow gets every result. Past the grace, every subscriber gets a
 * {@link CancellationException}.
 *
 * <p>The results ending does not end that wait: a subscriber hears {@code onComplete} only
 * after it has taken what its buffer holds, so a stalled one, its buffer not full, would hear
 * nothing for good. When the results end with the fetcher closing (they end because it closes,
 * or they run out after), the feed goes on until the buffers are taken, under the same grace
 * for each result. When they ran out before the close, it closes the publisher at once: the
 * results are all there, and the subscribers take them at their own pace, however late. When
 * the close cut them short (its stream throws a {@link CancellationException}, the source not
 * read to its end), the subscribers hear that exception, not {@code onComplete}, once their
 * buffers are taken: an error signalled at once would drop the results still buffered.
 *
 * <p>The feed stops when every subscriber has left (cancelled, or ended by the publisher),
 * and a subscriber that comes after that hears a {@link CancellationException}. It
 * may be waiting for the next result then, for as long as the source waits for work (a
 * crawler's frontier), and a cancel from outside {@code onNext} (a timer, a hand-off) happens
 * on a thread of the subscriber's: so each subscriber is handed a subscription that tells the
 * feed when it leaves, and the last one to leave interrupts that wait. The feed then closes
 * its stream, which stops the stream's feeder, cancels the requests it submitted that are not
 * yet done and closes the source.
 */
final class PublisherFeed {

    // How often taken() looks at the buffers: short against any grace worth setting.
    private static final long TAKEN_POLL_MILLIS = 10;

    private final SubmissionPublisher<FetchResult> publisher;
    private final Duration grace;
    // Whether the fetcher's close() has begun, which is before it calls fetcherClosed().
    private final BooleanSupplier closing;
    // Guards the fields below: an interrupt lands only on the wait it was meant for.
    private final Object lock = new Object();
    private Thread thread;
    private boolean offering;
    private long offers;
    private boolean fetcherClosed;
    private long closedAt;
    // Waiting for the next result: only this wait does a last subscriber's leaving interrupt.
    private boolean awaitingResult;
    // Subscribers that have not left.
    private int subscribers;
    // Every subscriber has left: set once, for good.
    private boolean deserted;
    // The results ran out: the feed's thread alone.
    private boolean resultsEnded;

    /** A feed whose subscribers each hold up to {@code bufferSize} results not yet asked for. */
    PublisherFeed(int bufferSize, Duration grace, BooleanSupplier closing) {
        this.publisher = new SubmissionPublisher<>(Runnable::run, bufferSize);
        this.grace = grace;
        this.closing = closing;
    }

    /** Subscribes {@code subscriber}, which tells the feed when it leaves. */
    void subscribe(Flow.Subscriber<? super FetchResult> subscriber) {
        publisher.subscribe(new Watched(subscriber));
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
            CancellationException cutShort = null;
            try {
                // Checked before each hasNext(), which may take and submit more requests.
                while (publisher.getNumberOfSubscribers() > 0 && awaitNext(each)) {
                    if (!offer(each.next())) {
                        publisher.closeExceptionally(stalled());
                        return;
                    }
                }
            } catch (CancellationException e) {
                // The fetcher's close left the source unread to its end: told after the
                // buffered results, as onComplete would be.
                cutShort = e;
            }
            if (closing.getAsBoolean() && !taken()) {
                publisher.closeExceptionally(stalled());
                return;
            }
            if (cutShort != null) {
                publisher.closeExceptionally(cutShort);
                return;
            }
            if (!resultsEnded) {
                // Deserted: a subscriber that comes now must not take onComplete for the end
                // of the sequence, which was never read to its end.
                publisher.closeExceptionally(new CancellationException("every subscriber had"
                        + " cancelled before the source was read to its end, and the publisher"
                        + " fetches no more"));
                return;
            }
            publisher.close();
        } catch (Throwable e) {
            // Any failure, an Error too, must reach the subscribers, or they wait for good.
            publisher.closeExceptionally(e);
        }
    }

    /** Whether there is a next result; false at once when the last subscriber leaves. */
    private boolean awaitNext(Iterator<FetchResult> each) {
        synchronized (lock) {
            if (deserted) {
                return false;
            }
            awaitingResult = true;
        }
        try {
            resultsEnded = !each.hasNext();
            return !resultsEnded;
        } catch (CompletionException e) {
            synchronized (lock) {
                if (deserted && e.getCause() instanceof InterruptedException) {
                    return false;
                }
            }
            throw e;
        } finally {
            synchronized (lock) {
                awaitingResult = false;
                // Only subscriberLeft() interrupts here, and only this wait.
                Thread.interrupted();
            }
        }
    }

    private CancellationException stalled() {
        return new CancellationException("the fetcher closed and a subscriber took no result"
                + " for the close grace (" + grace.toMillis() + " ms)");
    }

    /**
     * Whether the subscribers took what their buffers hold, none waited for longer than the
     * grace, counted from the fetcher's close or the last result taken, whichever is later.
     * Nothing tells the feed that a result was taken, so it looks every few milliseconds.
     */
    private boolean taken() throws InterruptedException {
        int left = publisher.estimateMaximumLag();
        long lastTaken = System.nanoTime();
        while (left > 0 && publisher.getNumberOfSubscribers() > 0) {
            if (graceOutSince(lastTaken)) {
                return false;
            }
            Thread.sleep(TAKEN_POLL_MILLIS);
            int now = publisher.estimateMaximumLag();
            if (now < left) {
                left = now;
                lastTaken = System.nanoTime();
            }
        }
        return true;
    }

    /** Whether the fetcher has closed, and the grace has passed since then and since {@code t}. */
    private boolean graceOutSince(long t) {
        synchronized (lock) {
            long now = System.nanoTime();
            return fetcherClosed && now - closedAt >= grace.toNanos()
                    && now - t >= grace.toNanos();
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
                // Only fetcherClosed() interrupts here, and only a wait: once out, it has done
                // its work.
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
            if (!fetcherClosed) {
                closedAt = System.nanoTime();
            }
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

    private void subscriberJoined() {
        synchronized (lock) {
            subscribers++;
        }
    }

    /** One subscriber has left: if it was the last, the feed ends, even from its wait. */
    private void subscriberLeft() {
        synchronized (lock) {
            if (--subscribers > 0) {
                return;
            }
            deserted = true;
            if (awaitingResult) {
                thread.interrupt();
            }
        }
    }

    /**
     * A subscriber as the feed sees it. Its leaving is counted once, whichever comes first:
     * its cancel, which can come from any thread, or the publisher ending it. Equal as the
     * subscriber is, so the publisher still refuses one subscribed twice.
     */
    private final class Watched implements Flow.Subscriber<FetchResult> {
        private final Flow.Subscriber<? super FetchResult> subscriber;
        private final AtomicBoolean left = new AtomicBoolean();

        Watched(Flow.Subscriber<? super FetchResult> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscriberJoined();
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    subscription.request(n);
                }

                @Override
                public void cancel() {
                    subscription.cancel();
                    leave();
                }
            });
        }

        @Override
        public void onNext(FetchResult result) {
            subscriber.onNext(result);
        }

        @Override
        public void onError(Throwable failure) {
            leave();
            subscriber.onError(failure);
        }

        @Override
        public void onComplete() {
            leave();
            subscriber.onComplete();
        }

        private void leave() {
            if (left.compareAndSet(false, true)) {
                subscriberLeft();
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PublisherFeed.Watched other && subscriber.equals(other.subscriber);
        }

        @Override
        public int hashCode() {
            return subscriber.hashCode();
        }
    }
}
