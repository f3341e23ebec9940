package dev.bulkfetch.testing;

import dev.bulkfetch.FetchResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * A subscriber to a fetcher's publisher that keeps what it receives, asking for results in one
 * of three ways: all at once, one at a time as each arrives, or {@code n} and then cancelling.
 */
public final class TestSubscriber implements Flow.Subscriber<FetchResult> {

    private final long firstRequest;
    private final boolean oneAtATime;
    private final long cancelAfter;
    private final List<FetchResult> received = new ArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final CountDownLatch enough;
    private Flow.Subscription subscription;
    private volatile Throwable error;
    private java.time.Duration every;

    private TestSubscriber(long firstRequest, boolean oneAtATime, long cancelAfter) {
        this.firstRequest = firstRequest;
        this.oneAtATime = oneAtATime;
        this.cancelAfter = cancelAfter;
        this.enough = new CountDownLatch(cancelAfter == Long.MAX_VALUE ? 1 : (int) cancelAfter);
    }

    /** Asks for everything at once. */
    public static TestSubscriber all() {
        return new TestSubscriber(Long.MAX_VALUE, false, Long.MAX_VALUE);
    }

    /** Asks for one result, and for the next as each arrives. */
    public static TestSubscriber oneAtATime() {
        return new TestSubscriber(1, true, Long.MAX_VALUE);
    }

    /** Asks for {@code n} results, then neither asks for more nor cancels: a stalled one. */
    public static TestSubscriber stoppingAfter(int n) {
        return new TestSubscriber(n, false, Long.MAX_VALUE);
    }

    /**
     * Asks for one result every {@code every}, from a thread of its own, whatever has come: a
     * subscriber slower than the fetching, but never stalled.
     */
    public static TestSubscriber slow(java.time.Duration every) {
        TestSubscriber slow = new TestSubscriber(0, false, Long.MAX_VALUE);
        slow.every = every;
        return slow;
    }

    /** Asks for {@code n} results and cancels when they have come. */
    public static TestSubscriber cancellingAfter(int n) {
        return new TestSubscriber(n, false, n);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (every != null) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (!ended.await(every.toNanos(), TimeUnit.NANOSECONDS)) {
                        s.request(1);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return;
        }
        s.request(firstRequest);
    }

    @Override
    public void onNext(FetchResult item) {
        synchronized (received) {
            received.add(item);
        }
        enough.countDown();
        if (enough.getCount() == 0 && cancelAfter != Long.MAX_VALUE) {
            subscription.cancel();
        } else if (oneAtATime) {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable t) {
        error = t;
        ended.countDown();
    }

    @Override
    public void onComplete() {
        ended.countDown();
    }

    /** Asks for {@code n} more, as a stalled subscriber that comes back would. */
    public void request(long n) {
        subscription.request(n);
    }

    /** Cancels, from the caller's thread: as a timer or a hand-off does, not from onNext. */
    public void cancel() {
        subscription.cancel();
    }

    /** Whether the publisher ended (completed or failed) within {@code seconds}. */
    public boolean awaitEnd(long seconds) throws InterruptedException {
        return ended.await(seconds, TimeUnit.SECONDS);
    }

    /** Whether the {@code n} results of {@link #cancellingAfter} came within {@code seconds}. */
    public boolean awaitCancelled(long seconds) throws InterruptedException {
        return enough.await(seconds, TimeUnit.SECONDS);
    }

    /** What {@code onError} was given; null when it was not called. */
    public Throwable error() {
        return error;
    }

    /** What has been received so far. */
    public List<FetchResult> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }
}
