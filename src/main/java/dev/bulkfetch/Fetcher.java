package dev.bulkfetch;

import dev.bulkfetch.input.HttpSyntax;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Fetches requests for a program: one at a time from any number of threads, a collection at
 * once, or a stream of any length, all through the same limits (concurrency cap, rate, per-host
 * cap, retries) that {@code bulkfetch fetch} applies. Create one with {@link #builder()}, share
 * it, and close it when done.
 *
 * <pre>{@code
 * try (Fetcher fetcher = Fetcher.builder().concurrency(64).rate("100/s").build()) {
 *     FetchResult one = fetcher.fetch(FetchRequest.get(1, URI.create(url))).join();
 *     fetcher.stream(requests).filter(r -> !r.ok()).forEach(System.err::println);
 * }
 * }</pre>
 *
 * <p>Behaviour at the limits:
 * <ul>
 *   <li>When the concurrency cap is full, {@link #fetch} does not block: the request waits in
 *       the fetcher's queue (in submission order) and its future completes later. Callers that
 *       submit without bound grow that queue; {@link #stream} and {@link #publisher} never do,
 *       they submit only as results are consumed.</li>
 *   <li>Every request's future completes normally with a {@link FetchResult}, failures
 *       included (see {@link FetchResult#error()}); it never completes exceptionally. A
 *       request submitted after {@link #close()} is refused: {@link #fetch} throws
 *       {@link IllegalStateException}.</li>
 *   <li>{@link #close()} takes no more requests and gives those already submitted, on the
 *       wire or still queued, up to the close grace (5 s by default) to finish, as
 *       {@code ExecutorService.close()} and {@code HttpClient.close()} run what was submitted:
 *       queued ones are sent in the grace, under the caps and the rate. Then it ends the rest
 *       as {@code cancelled} results, each counting the sends it made
 *       ({@link FetchResult#attempts()}), one cut off on the wire too, and frees the event loop
 *       and every thread the fetcher started. To send nothing more, cancel the futures first,
 *       or close with a grace of zero. One exception: on the
 *       {@code threads} and {@code serial} engines, a platform thread blocked reading a body
 *       that has stalled notices nothing until its read returns, at the idle timeout at most
 *       (the JDK's client gives no way to close its socket under a reader). {@code close()}
 *       waits 5 s more for such threads, then returns and leaves them, daemon threads, to end
 *       by themselves.</li>
 *   <li>The futures complete on threads of their own (virtual threads), never on the
 *       fetcher's: a callback chained on one ({@code thenApply}, {@code thenAccept}) may block,
 *       fetch more and wait for it, or close the fetcher, without holding up other
 *       results.</li>
 *   <li>A thread interrupted while it waits in {@link #stream}'s iterator gets a
 *       {@code CompletionException} wrapping the {@link InterruptedException}, with its
 *       interrupt flag set again.</li>
 *   <li>A stream being read when the fetcher closes gives the results of what it had
 *       submitted ({@code cancelled} past the grace), then, unless it had read its source to
 *       the end, throws a {@link java.util.concurrent.CancellationException}; a publisher
 *       signals it with {@code onError} instead of {@code onComplete}.</li>
 * </ul>
 */
public final class Fetcher implements AutoCloseable {

    private final FetchConfig config;
    // Everything concurrent behind this fetcher (threads, queue, futures to complete, the
    // streams and publishers being fed, the close): this class only delegates to it.
    private final LiveRun run;

    private Fetcher(FetchConfig config, Duration closeGrace, Map<String, String> headers) {
        this.config = config;
        // The close grace is the run's alone: its close and its publishers' feeds wait it out.
        this.run = new LiveRun(config, closeGrace, headers);
    }

    /**
     * A builder at the defaults: event loop, 32 in flight, no rate, bodies kept as bytes, and
     * failures retried as {@link RetryPolicy#defaults()} has it (twice, after a connect error,
     * a reset, a timeout, a 429, a 502, 503 or 504: {@code retries(RetryPolicy.NONE)} for
     * none).
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The configuration this fetcher runs with. */
    public FetchConfig config() {
        return config;
    }

    /**
     * Sends {@code request} through the fetcher's limits. Never blocks; the future completes
     * with the request's result, whatever happened to it. Cancelling the future (or ending it
     * otherwise first, as {@code orTimeout} does) withdraws the request if it has not been sent
     * yet, wherever it waits (for a slot, the rate, a backoff), and ends it if it is on the
     * wire: its connection is closed, and its place under the caps goes to the next request.
     * A blocking engine's platform thread can go on reading until its next read returns (a
     * body that has stalled holds it for up to the idle timeout); the {@code threads} and
     * {@code serial} engines lend their pool a thread meanwhile, so the next request does not
     * wait for it.
     *
     * <p>Because it never blocks, every request given and not yet sent is held in memory, with
     * its body and its future, as an executor's queue holds its tasks: a caller with more
     * requests than it wants to hold at once submits them as earlier ones complete, or hands
     * them to {@link #stream} or {@link #publisher}, which read their source only as places
     * free up.
     *
     * @throws IllegalStateException when the fetcher is closed
     */
    public CompletableFuture<FetchResult> fetch(FetchRequest request) {
        return run.submit(request);
    }

    /**
     * Fetches every request, as {@code Pool.map} and {@code asyncio.gather} do: the list comes
     * in the collection's order, one result per request, failed or not. Cancelling the
     * returned future (or ending it otherwise first, as {@code orTimeout} does) cancels every
     * request of it, as {@link #fetch} describes.
     *
     * @throws NullPointerException when the collection holds a null, before any is sent
     * @throws IllegalStateException when the fetcher is closed; none of the requests is sent
     */
    public CompletableFuture<List<FetchResult>> fetchAll(Collection<FetchRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        requests.forEach(request -> Objects.requireNonNull(request, "a request in requests"));
        run.refuseIfClosed();
        List<CompletableFuture<FetchResult>> futures = new java.util.ArrayList<>();
        try {
            for (FetchRequest request : requests) {
                futures.add(fetch(request));
            }
        } catch (IllegalStateException closedMeanwhile) {
            // Sent with nobody holding their futures, they would only load the server.
            futures.forEach(future -> future.cancel(false));
            throw closedMeanwhile;
        }
        CompletableFuture<List<FetchResult>> all = CompletableFuture.allOf(
                futures.toArray(CompletableFuture[]::new))
                .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
        all.whenComplete((results, failure) -> {
            if (failure != null) {
                futures.forEach(future -> future.cancel(false));
            }
        });
        return all;
    }

    /**
     * Fetches a stream of requests lazily, with backpressure: requests are taken from
     * {@code requests} only while fewer than twice the concurrency are submitted and not yet
     * consumed, so a slow consumer slows the fetching instead of growing a buffer. Results come
     * in completion order, or in input order when the fetcher was built {@code ordered}.
     *
     * <p>The requests are read on a thread of the stream's own, from its first use: a source
     * that is slow, or waits for work (a queue that the results themselves fill, as a
     * crawler's), never holds back results that have finished. A source that throws ends the
     * stream with its exception, after the results of what it gave. Closing the stream stops
     * the reading; a stream dropped unread and unclosed is stopped when the fetcher closes.
     * Either interrupts the thread reading the source, so a source waiting for work (in a
     * {@code BlockingQueue}'s {@code take()}) gets an {@link InterruptedException} there; one
     * that ignores interrupts keeps that thread until it returns. Closing the stream also
     * cancels the requests it submitted that are not yet done (up to twice the concurrency),
     * as cancelling their {@link #fetch} futures would: those not yet sent are withdrawn, those
     * on the wire ended, their connections closed; the close does not wait for them. Other
     * callers' requests go on. So close a stream that a {@code limit} or {@code findFirst}
     * ends early (try-with-resources), or its last requests run to their end for nothing.
     *
     * <p>The fetcher's {@link #close()} instead gives what the stream submitted its grace:
     * the stream gives those results, then, when the close stopped the reading before the
     * source's end, its terminal operation (or its iterator's {@code hasNext()}) throws a
     * {@link java.util.concurrent.CancellationException}, "the fetcher was closed before every
     * request was read from the source", so a stream cut short is not taken for a finished
     * one. The source's end counts only once the stream has seen it, which it asks for when
     * it has room in its window: a source whose last request was taken, the window full,
     * counts as cut short too. A stream whose source was read to its end ends normally.
     *
     * @throws IllegalStateException when the fetcher is closed
     */
    public Stream<FetchResult> stream(Stream<FetchRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        run.refuseIfClosed();
        StreamResults results = run.streamResults(requests.iterator(),
                2 * config.concurrency(), config.ordered());
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(results,
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(() -> {
                    results.close();
                    requests.close();
                });
    }

    /** Streams whose sources are being read now (for tests). */
    int streamsFeeding() {
        return run.streamsFeeding();
    }


    /** As {@link #stream(Stream)}, for requests made by an iterator (a generator). */
    public Stream<FetchResult> stream(Iterator<FetchRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        return stream(StreamSupport.stream(Spliterators.spliteratorUnknownSize(requests,
                Spliterator.ORDERED), false));
    }

    /**
     * As {@link #publisher(Stream, int)}, each subscriber's buffer holding
     * {@link Flow#defaultBufferSize()} (256) results: a subscriber that asks for one and
     * stalls still has 1 + 256 + 1 + 2 x the concurrency requests sent.
     */
    public Flow.Publisher<FetchResult> publisher(Stream<FetchRequest> requests) {
        return publisher(requests, Flow.defaultBufferSize());
    }

    /**
     * The same as {@link #stream}, as a {@link Flow.Publisher} for reactive code: fetching
     * starts when the first subscriber subscribes (a later one sees only what comes after),
     * one thread feeds the subscribers and waits while their buffers are full, so demand
     * paces fetching past the buffers: each subscriber's holds up to {@code bufferSize}
     * results it has not asked for yet (rounded up to a power of two, as
     * {@link java.util.concurrent.SubmissionPublisher} does). A subscriber that has asked for
     * {@code n} and stalls has at most {@code n + bufferSize + 1 + 2 x concurrency} requests
     * sent: those handed to it, those in its buffer, the one the thread holds while it waits
     * for room, and {@link #stream}'s window. A small buffer suits a slow or costly
     * subscriber, a large one a fast subscriber whose demand comes in bursts. It stops taking
     * requests once every subscriber has cancelled: at once, whichever thread cancels, even
     * while the source waits for work. Its thread ends
     * and its stream is closed as {@link #stream}'s is, closing the source and interrupting
     * the thread reading it, and cancelling the requests submitted that are not yet done,
     * whose results nobody would take. Once
     * the fetcher has closed, a subscriber that takes no result for the close grace (the next
     * one, or one already in its buffer) is waited for no longer: every subscriber then gets a
     * {@link java.util.concurrent.CancellationException}, and the thread ends. One that keeps
     * taking results, however slowly, gets every one and then, as {@link #stream} ends,
     * {@code onComplete} when the source was read to its end, or {@code onError} with the
     * stream's {@link java.util.concurrent.CancellationException} when the close cut it short
     * ({@code onComplete} would say the sequence was complete). Every subscriber gets
     * {@code onComplete}, at its own pace and the close notwithstanding, when the requests ran
     * out and their results were all handed over before the close. A subscriber that comes
     * after the sequence ended hears how it ended; one that comes once every earlier
     * subscriber has cancelled, the source not read to its end, gets a
     * {@link java.util.concurrent.CancellationException} (the publisher fetches no more), not
     * {@code onComplete}. The first subscriber of a publisher that had none before the close
     * gets the fetcher's {@link IllegalStateException}. Its {@code subscribe(null)} throws
     * {@link NullPointerException}, as Reactive Streams asks.
     *
     * @param bufferSize results each subscriber's buffer holds, at least 1
     * @throws IllegalArgumentException when {@code bufferSize} is less than 1
     * @throws IllegalStateException when the fetcher is closed
     */
    public Flow.Publisher<FetchResult> publisher(Stream<FetchRequest> requests, int bufferSize) {
        Objects.requireNonNull(requests, "requests");
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize < 1: " + bufferSize);
        }
        run.refuseIfClosed();
        return run.publisher(() -> stream(requests), bufferSize);
    }

    /**
     * Takes no more requests, gives those submitted (on the wire or queued, which are sent in
     * it) the close grace to finish, ends what is left as {@code cancelled}, and frees the
     * event loop and threads. A {@link #stream} or
     * {@link #publisher} whose source it leaves unread to the end ends, after the results of
     * what it submitted, with a {@link java.util.concurrent.CancellationException} (thrown, or
     * {@code onError}). Every result's future is
     * completed, and its callbacks have run (within the grace), when it returns; but not when
     * it is called from a callback of this fetcher's, which would wait for itself: then the
     * other futures complete just after it returns. An interrupt does not cut it short: it
     * waits as it would have, then returns with the thread's interrupt flag set again.
     * Idempotent: a call while another thread's is under way returns when that one has (at
     * once from a callback of this fetcher's, which that one may be waiting for).
     */
    @Override
    public void close() {
        run.close();
    }

    /** Builds a {@link Fetcher}; each setter checks its value and names it when it is bad. */
    public static final class Builder {
        private final FetchConfig.Builder config = FetchConfig.builder()
                .bodyHandler(BodyHandlers.bytes());
        private Duration closeGrace = Duration.ofSeconds(5);
        private final Map<String, String> headers = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * A header sent with every request that gives none of that name itself, in any case
         * (one that does keeps its own): a {@code User-Agent}, an API's key. The fetcher's go
         * first, in the order given, then the request's.
         *
         * @throws IllegalArgumentException when the header cannot be sent (as
         *     {@link FetchRequest}'s), or a header of that name, in any case, was given already
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            HttpSyntax.addHeader(headers, name, value);
            return this;
        }

        /**
         * The engine: {@code event-loop} (default), {@code threads}, {@code virtual}, or
         * {@code serial} (one request at a time: {@link #build()} refuses a concurrency other
         * than 1 set beside it). The
         * blocking ones run on the JDK's {@code HttpURLConnection} and set, unless already
         * set, {@code http.maxConnections}, {@code sun.net.http.retryPost=false} and
         * {@code sun.net.http.allowRestrictedHeaders=true}, which the JDK reads once per JVM.
         */
        public Builder engine(EngineKind engine) {
            config.engine(engine);
            return this;
        }

        /**
         * Requests in flight at most, across every caller (default 32; 1, and only 1, with
         * the serial engine).
         */
        public Builder concurrency(int concurrency) {
            config.concurrency(concurrency);
            return this;
        }

        /**
         * At most this many requests start per period, e.g. {@code "100/s"}, retries and
         * redirects included; {@code null} for no rate (the default).
         *
         * <p>The rate adapts to 429s, for every request of this fetcher, whatever its host (a
         * server's limit is taken to be the client's): a 429 halves the rate in force, never
         * below a tenth of this one, and it climbs back by a tenth every 5 s without one, up to
         * 90% of the rate the 429 came at; a 429's {@code Retry-After} (up to an hour) holds
         * every start until it has passed. A fetcher shared by unrelated hosts that must not
         * slow each other wants {@link #ratePerHost(String)} instead, whose 429s hold and slow
         * only their host. Without a rate nothing is slowed: only the item answered 429 waits,
         * before its retry. (README, "How it adapts to 429".)
         *
         * @throws IllegalArgumentException quoting the text, when it is not a rate
         */
        public Builder rate(String rate) {
            return rate(rate == null ? null : Rate.parse(rate));
        }

        /**
         * As {@link #rate(String)}, from a rate already made ({@code new Rate(100,
         * Duration.ofSeconds(1))}, or one kept in a program's settings); {@code null} for none
         * (a bare {@code null} fits both: {@code rate((Rate) null)}).
         */
        public Builder rate(Rate rate) {
            config.rate(rate);
            return this;
        }

        /** At most this many in flight to one host (0, the default, for no cap). */
        public Builder perHost(int max) {
            config.perHost(max);
            return this;
        }

        /**
         * At most this many requests start per period to one host, e.g. {@code "10/s"} (a
         * redirect's request counts for the host it goes to); {@code null} for no rate per
         * host (the default).
         *
         * @throws IllegalArgumentException quoting the text, when it is not a rate
         */
        public Builder ratePerHost(String rate) {
            return ratePerHost(rate == null ? null : Rate.parse(rate));
        }

        /** As {@link #ratePerHost(String)}, from a rate made; {@code (Rate) null} for none. */
        public Builder ratePerHost(Rate rate) {
            config.ratePerHost(rate);
            return this;
        }

        /** Which failures are retried, how often, with what backoff. */
        public Builder retries(RetryPolicy retries) {
            config.retries(retries);
            return this;
        }

        /** How long opening a connection may take (default 5 s); then {@code timeout}. */
        public Builder connectTimeout(Duration timeout) {
            config.connectTimeout(timeout);
            return this;
        }

        /**
         * How long one attempt may take, send to last byte (default 30 s); then
         * {@code timeout}, which the default {@link RetryPolicy} retries: an item can take
         * this long once per attempt, plus the backoffs between them.
         */
        public Builder requestTimeout(Duration timeout) {
            config.requestTimeout(timeout);
            return this;
        }

        /** How long a response may go without a byte (default 10 s); then {@code timeout}. */
        public Builder idleTimeout(Duration timeout) {
            config.idleTimeout(timeout);
            return this;
        }

        /** A larger body ends as {@code too_large} without being buffered (default 10 MiB). */
        public Builder maxBodyBytes(long bytes) {
            config.maxBodyBytes(bytes);
            return this;
        }

        /** Redirects followed, 0 (none: a redirect is the answer) to 100 (default 5). */
        public Builder maxRedirects(int redirects) {
            config.maxRedirects(redirects);
            return this;
        }

        /**
         * Accepts any TLS certificate and host name, as {@code --insecure} does: for a test
         * server. Off by default, and it should stay so; to trust a private CA instead, see
         * {@link #trustedCertificates}.
         */
        public Builder insecure(boolean insecure) {
            config.insecure(insecure);
            return this;
        }

        /**
         * Trusts the certificates of the PEM file {@code pem} in place of the JDK's
         * certificate authorities, as {@code --cacert} does: for servers a private CA signs,
         * this fetcher alone. Host names are still verified.
         *
         * @throws IllegalArgumentException naming the file, when it cannot be read or holds no
         *     certificate
         */
        public Builder trustedCertificates(java.nio.file.Path pem) {
            config.trustedCertificates(pem);
            return this;
        }

        /**
         * What sees each body as it streams and what lands in {@link FetchResult#body()}: by
         * default {@link BodyHandlers#bytes()}, the whole body up to the max body size;
         * {@link BodyHandlers#text()}, {@link BodyHandlers#json(Class)} or your own to keep
         * less; {@link BodyHandlers#files(java.nio.file.Path)} to save each 2xx body to a
         * file; {@link BodyHandlers#discarding()} to keep nothing.
         */
        public Builder bodyHandler(BodyHandler<?> handler) {
            config.bodyHandler(Objects.requireNonNull(handler, "body handler"));
            return this;
        }

        /**
         * {@link #stream} (and {@link #publisher}) in input order instead of completion order;
         * nothing else is held back: other callers' results come as they complete.
         */
        public Builder ordered(boolean ordered) {
            config.ordered(ordered);
            return this;
        }

        /**
         * Refuses a request to a host that resolves to a loopback, private or link-local
         * address (cloud metadata lives on link-local 169.254.169.254), as its {@code input}
         * result, and a redirect to one, as its {@code protocol} result: for URLs you do not
         * trust. Off by default.
         */
        public Builder denyPrivate(boolean deny) {
            config.denyPrivate(deny);
            return this;
        }

        /**
         * How long {@link #close()} lets the requests submitted finish, queued ones sent in it
         * (default 5 s); zero ends them at once.
         */
        public Builder closeGrace(Duration grace) {
            Objects.requireNonNull(grace, "close grace");
            if (grace.isNegative() || grace.compareTo(FetchConfig.MAX_DURATION) > 0) {
                throw new IllegalArgumentException("close grace must be zero to a day: " + grace);
            }
            this.closeGrace = grace;
            return this;
        }

        /**
         * A fetcher with these settings; its event loop or threads start now.
         *
         * @throws IllegalArgumentException when settings contradict: insecure beside trusted
         *     certificates, or a concurrency other than 1 set beside the serial engine
         */
        public Fetcher build() {
            return new Fetcher(config.build(), closeGrace,
                    Collections.unmodifiableMap(new LinkedHashMap<>(headers)));
        }
    }
}
