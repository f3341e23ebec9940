package dev.bulkfetch;

import dev.bulkfetch.input.InputItem;
import dev.bulkfetch.output.RecordSink;
import dev.bulkfetch.output.Tally;
import dev.bulkfetch.run.BulkRun;
import dev.bulkfetch.run.Source;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The run behind a {@link Fetcher}: one {@link BulkRun} on a driver thread of its own, fed
 * while it goes on by any caller's requests (a stream's feeder is one such caller), with each
 * result carried back to its caller's future on a thread that is not the driver's. Fetcher is
 * the public face and delegates here; the threads, the queue, the futures still to complete,
 * the streams and publishers being fed and the close that ends them all are this class's, so
 * that close() ends them in order: the feeders first, so no request comes in; the driver, given
 * the close grace; what is still pending, as {@code cancelled}; the completions' threads; last,
 * the publishers' waits for their subscribers.
 *
 * <p>It lives in the root package, not in {@code run}: it starts and stops
 * {@link StreamResults} and {@link PublisherFeed}, the package-private halves of
 * {@link Fetcher#stream} and {@link Fetcher#publisher}.
 */
final class LiveRun {

    // How long close() waits for the driver and the completions, and a publisher's feed for
    // a subscriber once closed: the fetcher's, held only here.
    private final Duration closeGrace;
    private final BulkRun run;
    private final Thread driver;
    // Callers' requests not yet taken: any caller's thread adds, the driver takes.
    private final ConcurrentLinkedQueue<InputItem> queue = new ConcurrentLinkedQueue<>();
    // By seq, the futures still to complete: added by callers, removed by whichever thread
    // completes or cancels one (the driver, close(), a caller's cancel).
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    // Sent with every request that gives none of the name itself (Fetcher.Builder#header).
    private final Map<String, String> headers;
    // The next seq to give a request, from any caller's thread.
    private final AtomicLong nextSeq = new AtomicLong();
    // Streams whose feeders are reading their sources: close() stops them. Only this class
    // touches it: each feeder's thread reports its start and stop (startedFeeding, stoppedFeeding).
    private final java.util.Set<StreamResults> feeding = ConcurrentHashMap.newKeySet();
    // Publishers' feeds: once close() is done, none waits for good on a stalled subscriber.
    private final java.util.Set<PublisherFeed> publishing = ConcurrentHashMap.newKeySet();
    // Set by close() under lifecycle; read by submit() under it, and without it by the
    // driver's source, the streams' feeders and Fetcher's own check (closed()).
    private volatile boolean closed;
    // Makes submit's check-and-enqueue and close's flip one step each, so no request can be
    // queued after the driver has drained and left.
    private final Object lifecycle = new Object();
    // Completes callers' futures: a callback on one must never run on the driver thread,
    // where a blocking one would stop every result after it (and close() would wait on itself).
    private final ExecutorService completions = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("bulkfetch-result").factory());
    // True on this fetcher's completions threads: close() called from a callback of this
    // fetcher cannot wait for itself (one of another fetcher's can, and must).
    private final ThreadLocal<Boolean> completing = ThreadLocal.withInitial(() -> false);
    // Completes when close() has finished: a second close() returns only then.
    private final CompletableFuture<Void> closedFully = new CompletableFuture<>();

    /** A caller's request, and the future its result completes. */
    private record Pending(FetchRequest request, CompletableFuture<FetchResult> future) {
    }

    /**
     * Starts the driver thread, running {@code config} for as long as this is open, and
     * sending {@code headers} with every request that gives none of the name itself.
     */
    LiveRun(FetchConfig config, Duration closeGrace, Map<String, String> headers) {
        this.closeGrace = closeGrace;
        this.headers = headers;
        // Unordered: ordering is each stream's own; a window in the run held every caller
        // back behind one slow request.
        FetchConfig.Builder unordered = FetchConfig.builder().from(config).ordered(false);
        if (config.bodyHandler() != null) {
            unordered.bodyHandler(CallersResponses.of(config.bodyHandler(), seq -> {
                Pending p = pending.get(seq);
                return p == null ? null : p.request();
            }));
        }
        this.run = new BulkRun(unordered.build());
        this.driver = Thread.ofPlatform().name("bulkfetch-driver").daemon(true)
                .start(this::drive);
    }

    /**
     * {@link Fetcher#fetch}: queues {@code request} under a seq of its own for the driver and
     * returns the future its result completes.
     *
     * @throws IllegalStateException when closed
     */
    CompletableFuture<FetchResult> submit(FetchRequest request) {
        Objects.requireNonNull(request, "request");
        CompletableFuture<FetchResult> future = new CompletableFuture<>();
        synchronized (lifecycle) {
            refuseIfClosed();
            long seq = nextSeq.incrementAndGet();
            pending.put(seq, new Pending(request, future));
            queue.add(new InputItem.Request(new FetchRequest(seq, request.id(), request.url(),
                    request.method(), headersOf(request), request.body(),
                    request.idIsNumber())));
            // A caller that cancels (cancel, orTimeout, a deadline of its own) withdraws a
            // request not yet sent, whether still queued here or waiting for the rate: it was
            // sent all the same, a POST included. One on the wire is ended, freeing its slot.
            // Completed normally, it is gone already.
            future.whenComplete((result, failure) -> {
                if (failure != null && pending.remove(seq) != null) {
                    run.cancel(seq);  // and if it is on the wire, it ends now
                }
            });
        }
        run.wakeUp();
        return future;
    }

    /** The fetcher's headers that {@code request} does not give itself, then its own. */
    private Map<String, String> headersOf(FetchRequest request) {
        if (headers.isEmpty()) {
            return request.headers();
        }
        Map<String, String> sent = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (request.headers().keySet().stream().noneMatch(name::equalsIgnoreCase)) {
                sent.put(name, value);
            }
        });
        sent.putAll(request.headers());
        return sent;
    }

    /**
     * {@link #submit}, for a stream's request: one taken from its source just as the fetcher
     * closed gets its {@code cancelled} result rather than an exception.
     */
    CompletableFuture<FetchResult> submitOrCancelled(FetchRequest request) {
        try {
            return submit(request);
        } catch (IllegalStateException closedMeanwhile) {
            return CompletableFuture.completedFuture(cancelled(request));
        }
    }

    /** Whether close() has begun: nothing is admitted from then on. */
    boolean closed() {
        return closed;
    }

    /** @throws IllegalStateException when closed, as the fetcher says it to its callers */
    void refuseIfClosed() {
        if (closed) {
            throw new IllegalStateException("fetcher is closed");
        }
    }

    /**
     * The results of a stream of {@code requests}, at most {@code window} submitted and not yet
     * consumed; its feeder tells this run when it starts and stops reading, for close() to stop.
     */
    StreamResults streamResults(Iterator<FetchRequest> requests, int window, boolean ordered) {
        return new StreamResults(requests, window, ordered, this);
    }

    /** {@code stream}'s feeder is reading its source: close() from now on stops it. */
    void startedFeeding(StreamResults stream) {
        feeding.add(stream);
    }

    /** {@code stream}'s feeder has stopped reading: close() has nothing left to stop. */
    void stoppedFeeding(StreamResults stream) {
        feeding.remove(stream);
    }

    /** Streams whose sources are being read now (for tests). */
    int streamsFeeding() {
        return feeding.size();
    }

    /**
     * {@link Fetcher#publisher}: the thread that feeds it from {@code results} starts with its
     * first subscriber, its feed listed in {@code publishing} while it runs, for close() to
     * tell it the fetcher has closed. Each subscriber's buffer holds {@code bufferSize}.
     */
    Flow.Publisher<FetchResult> publisher(Supplier<Stream<FetchResult>> results,
            int bufferSize) {
        PublisherFeed feed = new PublisherFeed(bufferSize, closeGrace, this::closed);
        AtomicBoolean started = new AtomicBoolean();
        return subscriber -> {
            // Reactive Streams 1.9: refused at once, before it starts the fetching for nobody.
            Objects.requireNonNull(subscriber, "subscriber");
            feed.subscribe(subscriber);
            if (started.compareAndSet(false, true)) {
                Thread.ofPlatform().name("bulkfetch-publisher").daemon(true)
                        .start(() -> publish(feed, results));
            }
        };
    }

    private void publish(PublisherFeed feed, Supplier<Stream<FetchResult>> results) {
        publishing.add(feed);
        try {
            if (closed) {
                feed.fetcherClosed();
            }
            feed.feed(results);
        } finally {
            publishing.remove(feed);
        }
    }

    /** {@link Fetcher#close()}, which says what it does. */
    void close() {
        boolean first;
        synchronized (lifecycle) {
            first = !closed;
            closed = true;
        }
        if (!first) {
            if (!completing.get()) {
                closedFully.join();
            }
            return;
        }
        try {
            closeOnce();
        } finally {
            closedFully.complete(null);
        }
    }

    private void closeOnce() {
        // Every future completed, its callbacks run, when close() returns: an interrupt would
        // break that promise if it cut these waits short, so it is kept for the caller.
        Waits waits = new Waits();
        run.wakeUp();
        feeding.forEach(StreamResults::stop);
        try {
            if (!waits.upTo(closeGrace, driver::join)) {
                run.abandon();
            }
            waits.upTo(Duration.ofNanos(Long.MAX_VALUE), driver::join);
        } finally {
            // Before the engine closes, which ends what is on the wire: the sends each made.
            Map<Long, FetchResult> ended = new java.util.HashMap<>();
            pending.forEach((seq, p) -> ended.put(seq, run.unfinished(seq, p.request(),
                    CLOSED_FIRST)));
            run.close();
            // On the completions' threads too: a callback completed on this one held close()
            // for as long as it ran, or for good if it waited for another result.
            pending.forEach((seq, p) -> complete(p.future(),
                    ended.getOrDefault(seq, cancelled(p.request()))));
            pending.clear();
            // Every result handed out before close() returns, callbacks run (within the grace):
            // a program that ends after close() must not lose its last results.
            completions.shutdown();
            if (!completing.get()) {
                waits.upTo(Duration.ofMillis(Math.max(1, closeGrace.toMillis())), limit ->
                        completions.awaitTermination(limit.toNanos(), TimeUnit.NANOSECONDS));
            }
            publishing.forEach(PublisherFeed::fetcherClosed);
            waits.done();
        }
    }

    /**
     * close()'s waits, which an interrupt does not end: each goes on for as long as it would
     * have, and the interrupt is set again on the closing thread when they are all done.
     */
    private static final class Waits {
        /** A wait of at most {@code limit}: whether what it waits for came. */
        @FunctionalInterface
        interface Wait {
            boolean upTo(Duration limit) throws InterruptedException;
        }

        // The closing thread's alone. An interrupt before close() counts too: the engine's
        // own waits in close() would end at once on it.
        private boolean interrupted = Thread.interrupted();

        boolean upTo(Duration limit, Wait wait) {
            long deadline = System.nanoTime() + limit.toNanos();
            while (true) {
                try {
                    return wait.upTo(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }

        void done() {
            if (Thread.interrupted() || interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void complete(CompletableFuture<FetchResult> future, FetchResult result) {
        try {
            completions.execute(() -> {
                completing.set(true);
                future.complete(result);
            });
        } catch (java.util.concurrent.RejectedExecutionException closedAlready) {
            future.complete(result);
        }
    }

    private void drive() {
        // A request whose caller cancelled it has left pending (see submit).
        java.util.function.LongPredicate withdrawn = seq -> !pending.containsKey(seq);
        Source source = new Source() {
            @Override
            public InputItem poll() {
                InputItem item;
                while ((item = queue.poll()) != null) {
                    if (item instanceof InputItem.Request r && withdrawn.test(r.request().seq())) {
                        continue;  // cancelled before the driver took it: it takes no slot
                    }
                    return item;
                }
                return null;
            }

            @Override
            public boolean exhausted() {
                return closed && queue.isEmpty();
            }

            @Override
            public java.util.function.LongPredicate withdrawals() {
                return withdrawn;
            }
        };
        try {
            run.run(source, new Completer(), new Tally());
        } catch (Exception e) {
            for (Pending p : pending.values()) {
                complete(p.future(), cancelled(p.request()));
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Hands each finished record to the future of its request, with the caller's seq. */
    private final class Completer implements RecordSink {
        @Override
        public void accept(FetchResult r) {
            Pending p = pending.remove(r.seq());
            if (p != null) {
                FetchRequest asked = p.request();
                complete(p.future(), new FetchResult(asked.seq(), asked.id(), r.url(), r.method(),
                        r.status(), r.error(), r.attempts(), r.latencyNanos(), r.bytes(),
                        r.engine(), r.body(), r.bodyFile(), asked.idIsNumber(), r.finalUrl()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private static final FetchError CLOSED_FIRST =
            FetchError.of(ErrorKind.CANCELLED, "the fetcher was closed first");

    /** {@code r}'s result when the fetcher closed before the run took it (or the run failed). */
    private static FetchResult cancelled(FetchRequest r) {
        return new FetchResult(r.seq(), r.id(), r.url().toString(), r.method(), null,
                CLOSED_FIRST, 0, 0, 0,
                null, null, null, r.idIsNumber());
    }
}
