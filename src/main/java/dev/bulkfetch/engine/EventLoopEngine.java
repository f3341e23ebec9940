package dev.bulkfetch.engine;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.engine.CountingHandler.Hop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.AsyncHttpClientConfig;
import org.asynchttpclient.DefaultAsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.netty.channel.DefaultChannelPool;
import org.asynchttpclient.Request;
import org.asynchttpclient.RequestBuilder;
import org.asynchttpclient.uri.Uri;

/**
 * async-http-client on the shared Netty event loop: a handful of I/O threads for any number of
 * requests in flight.
 *
 * <p>AHC is configured so that what the record says is what happened: its hidden retries are
 * off (so {@code attempts} is honest), and it sets no connection limit of its own, because its
 * limits throw rather than queue; admission upstream keeps at most {@code concurrency} requests
 * in flight, so the keep-alive pool never holds more connections than that. Bodies are counted
 * as they stream and handed to the body handler, if any, chunk by chunk; a body over the limit
 * aborts the exchange at once. Redirects are followed here, not by AHC, under the same
 * {@link Redirects} policy as the blocking engines', and within the one whole-request timeout.
 */
final class EventLoopEngine implements Engine {

    // The JDK's default limit on a response's headers.
    private static final int JDK_MAX_HEADER_BYTES = 384 * 1024;

    private final EventLoopGroup eventLoop = SharedEventLoop.acquire();
    private final AsyncHttpClient client;
    private final ClosingTimer timer = new ClosingTimer("bulkfetch-ahc-timer");
    private final EngineOptions options;
    private final HostGuard guard;
    private final RedirectGate redirectGate;
    // Set by close(), read by exchanges ending as it closes their connections.
    private volatile boolean closing;
    // Items in flight, from send() until their outcome, for close() to end.
    private final java.util.Set<AbortHandle> live =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    EventLoopEngine(EngineOptions options, RedirectGate redirectGate) {
        this.redirectGate = redirectGate;
        this.options = options;
        this.guard = HostGuard.of(options);
        int headerLimit = maxHeaderBytes(System.getProperty("jdk.http.maxHeaderSize"));
        DefaultAsyncHttpClientConfig config = new DefaultAsyncHttpClientConfig.Builder()
                .setEventLoopGroup(eventLoop)
                .setThreadPoolName("bulkfetch-ahc")
                .setNettyTimer(timer)
                // No cookie jar, like the blocking engines: a request carries the headers its
                // item names and no others, whatever an earlier answer set.
                .setCookieStore(null)
                .setMaxRequestRetry(0)
                .setMaxConnections(-1)
                .setMaxConnectionsPerHost(-1)
                .setKeepAlive(true)
                .setKeepAliveStrategy(new KeepAliveDecision())
                // AHC's own pool, at its defaults, with a cap on what it keeps idle: one
                // connection per host touched, over thousands of hosts, ran out of files.
                .setChannelPool(new IdleCap(pool(timer),
                        Math.max(64, 2 * options.concurrency())))
                .setConnectTimeout(options.connectTimeout())
                .setRequestTimeout(options.requestTimeout())
                // No read timeout of AHC's: IdleWatch keeps --idle-timeout, to the end of
                // the request timeout, where AHC's stopped an idle timeout short of it.
                .setReadTimeout(Duration.ofMillis(-1))
                // A TLS handshake that goes quiet is silence while reading, as the JDK has it
                // (its socket timeout bounds the handshake): AHC's own fixed 10 s made it a
                // connect error after 10 s here and a timeout after --idle-timeout there.
                // The longer of the two: Netty's limit covers the whole handshake, where the
                // JDK's covers each read of it.
                .setHandshakeTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(
                        options.idleTimeout().toMillis(), options.connectTimeout().toMillis())))
                .setFollowRedirect(false)
                .setCompressionEnforced(false)
                // A body is what the server sent, as on the blocking engines: a compressed
                // answer the request asked for is counted, limited and saved compressed.
                .setEnableAutomaticDecompression(false)
                .setUseInsecureTrustManager(options.insecure())
                .setDisableHttpsEndpointIdentificationAlgorithm(options.insecure())
                .setUserAgent("bulkfetch/0.1")
                // HTTP/1.1 only, as the blocking engines speak: AHC 3.0.3 and later offer h2
                // over TLS by default, where one connection carries many requests, and the
                // engines would no longer be compared on the same wire.
                .setHttp2Enabled(false)
                .setHttpAdditionalChannelInitializer(channel -> {
                    ResponseDecoder.install(channel, headerLimit);
                    DecoderFailureHandler.install(channel);
                    StatusLines.install(channel);
                    JdkHeadSize.install(channel, headerLimit);
                    InterimResponses.install(channel);
                    StrayBytes.install(channel);
                    EarlyAnswers.install(channel);
                })
                .setSslEngineFactory(new LazySslEngineFactory(options.trustedCertificates()))
                .build();
        this.client = new DefaultAsyncHttpClient(config);
    }

    /**
     * The headers' limit as the JDK reads {@code jdk.http.maxHeaderSize} ({@code property}),
     * so that setting it changes every engine: 384 KiB when unset or not a number, none when 0
     * or less.
     */
    static int maxHeaderBytes(String property) {
        if (property == null) {
            return JDK_MAX_HEADER_BYTES;
        }
        try {
            int bytes = Integer.parseInt(property); // untrimmed, as the JDK reads it
            return bytes <= 0 ? Integer.MAX_VALUE : bytes;
        } catch (NumberFormatException e) {
            return JDK_MAX_HEADER_BYTES;
        }
    }

    @Override
    public String name() {
        return EngineKind.EVENT_LOOP.cliName();
    }

    @Override
    public CompletableFuture<Outcome> send(FetchRequest request) {
        Outcome refused = guard.refused(request);
        if (refused != null) {
            return CompletableFuture.completedFuture(refused);
        }
        AbortHandle handle = new AbortHandle();
        live.add(handle);
        if (closing) {
            // close() may have gone through live just before the add.
            handle.cancel(engineClosed());
        }
        CompletableFuture<Outcome> outcome = send(Credentials.asHeader(request), 0,
                System.nanoTime(), handle);
        // Cancelled by the caller (a library user's cancel): the exchange under way is
        // aborted, its connection closed, and no redirect of it is followed.
        outcome.whenComplete((done, thrown) -> {
            live.remove(handle);
            if (thrown instanceof java.util.concurrent.CancellationException) {
                handle.cancel();
            }
        });
        return outcome;
    }

    /**
     * The exchanges of {@code request}'s chain from the {@code redirects}-th redirect on; what
     * comes of following a redirect is marked as such, with the URL the chain ended at: that
     * of a later request, once one was sent, else this one's, which answered with the redirect.
     */
    private CompletableFuture<Outcome> send(FetchRequest request, int redirects, long start,
                                            AbortHandle handle) {
        CompletableFuture<Outcome> outcome = exchange(request, redirects > 0, start, handle)
                .thenCompose(hop -> hop.location() == null
                        ? CompletableFuture.completedFuture(hop.outcome())
                        : follow(request, hop, redirects, start, handle)
                                .thenApply(after -> after.afterRedirect(request.url())))
                .exceptionally(thrown -> Failures.outcome(thrown, 0,
                        System.nanoTime() - start, options));
        return redirects == 0 ? outcome
                : outcome.thenApply(after -> after.afterRedirect(request.url()));
    }

    /**
     * One exchange of {@code request}, sent again when {@link Resends} allows and the pooled
     * connection it went on closed before any answer. The pool may hand out another such
     * connection (a server closes all its idle ones at once), so this goes on until a new
     * connection carries it or the time is up, as the JDK opens a new one at once. A later
     * exchange of the item ({@code later}: after a redirect or for a resend) gets the time the
     * item has left.
     */
    private CompletableFuture<Hop> exchange(FetchRequest request, boolean later, long start,
                                            AbortHandle handle) {
        Duration left = null;
        if (later) {
            // The whole-request timeout is the item's, as on the blocking engines.
            left = options.requestTimeout().minusNanos(System.nanoTime() - start);
            // AHC reads a timeout under 1 ms as none given and uses the client's whole one.
            if (left.toMillis() < 1) {
                return CompletableFuture.failedFuture(new TimeoutException(
                        "request timeout passed before the next exchange of the request"));
            }
        }
        if (handle.cancelled()) {
            // Cancelled during a redirect's wait for the rate: no exchange starts.
            return CompletableFuture.failedFuture(handle.reason());
        }
        CountingHandler handler = new CountingHandler(options, start, request,
                () -> closing);
        CompletableFuture<Hop> hop;
        try {
            org.asynchttpclient.ListenableFuture<Hop> started =
                    handle.started(client.executeRequest(build(request, left), handler));
            IdleWatch.start(timer, started, handler::written, options.idleTimeout());
            hop = started.toCompletableFuture();
        } catch (RuntimeException e) {
            // A request AHC refuses to build (a header name it rejects) is that item's error.
            return CompletableFuture.failedFuture(e);
        }
        if (Resends.allowed(request)) {
            // On the event loop as a task of its own: AHC may fail an exchange before
            // executeRequest returns (a pooled channel found closed), and resending in place
            // would nest one call per closing connection in the pool.
            hop = hop.exceptionallyComposeAsync(thrown -> handler.lostUnanswered(thrown)
                    && !handle.cancelled() ? exchange(request, true, start, handle)
                    : CompletableFuture.failedFuture(thrown), eventLoop);
        }
        return hop.exceptionally(handler::failed);
    }

    private CompletableFuture<Outcome> follow(FetchRequest request, Hop hop, int redirects,
                                              long start, AbortHandle handle) {
        if (handle.cancelled()) {
            return failed(handle.reason(), start);
        }
        if (redirects == options.maxRedirects()) {
            return CompletableFuture.completedFuture(Redirects.beyondTheLimit(hop.status(),
                    options.maxRedirects(), System.nanoTime() - start));
        }
        FetchRequest next;
        try {
            next = Redirects.follow(request, hop.status(), hop.location());
            guard.checkRedirect(next.url());
        } catch (java.io.IOException e) {
            return failed(e, start);
        }
        long left = options.requestTimeout().toNanos() - (System.nanoTime() - start);
        // The wait for a start counts against the item's timeout, as the exchanges do; a
        // cancel or the engine's close ends it at once, through the handle.
        return handle.waiting(redirectGate.permit(next.url()))
                .orTimeout(Math.max(1, left), java.util.concurrent.TimeUnit.NANOSECONDS)
                .handle((permitted, thrown) -> thrown)
                .thenCompose(thrown -> thrown == null ? send(next, redirects + 1, start, handle)
                        : failed(thrown instanceof java.util.concurrent.TimeoutException
                                ? new java.util.concurrent.TimeoutException("request timeout "
                                        + "passed waiting for the rate to allow a redirect")
                                : thrown, start));
    }

    private CompletableFuture<Outcome> failed(Throwable thrown, long start) {
        return CompletableFuture.completedFuture(
                Failures.outcome(thrown, 0, System.nanoTime() - start, options));
    }

    /**
     * AHC's pool at its defaults but one: a time to live no connection reaches (a year), as
     * only with one does AHC note each connection's host, without which {@link IdleCap} could
     * not take an idle connection out of the pool to close it.
     */
    private static DefaultChannelPool pool(io.netty.util.Timer timer) {
        AsyncHttpClientConfig defaults = new DefaultAsyncHttpClientConfig.Builder().build();
        return new DefaultChannelPool(defaults.getPooledConnectionIdleTimeout(),
                Duration.ofDays(365), timer, defaults.getConnectionPoolCleanerPeriod());
    }

    /** AHC's request for {@code request}; {@code timeout}, when given, replaces the client's. */
    private static Request build(FetchRequest request, Duration timeout) {
        // The URL is already parsed and checked: hand AHC its parts rather than a string it
        // would parse again (a measurable share of the driver's time per request).
        java.net.URI url = request.url();
        RequestBuilder builder = new RequestBuilder(request.method())
                .setUri(new Uri(url.getScheme().toLowerCase(java.util.Locale.ROOT),
                        url.getRawUserInfo(), url.getHost(), url.getPort(),
                        url.getRawPath() == null || url.getRawPath().isEmpty() ? "/"
                                : url.getRawPath(), url.getRawQuery(), null));
        for (Map.Entry<String, String> header : request.headers().entrySet()) {
            builder.addHeader(header.getKey(), utf8OnTheWire(header.getValue()));
        }
        if (request.body() != null) {
            // As bytes, in the request's one message: AHC 3.0.1, and 3.0.9 still, writes a
            // streamed body again after any 100 Continue, asked for or not
            // (RequestBodyContractTest fails with one).
            builder.setBody(request.body());
        }
        if (timeout != null) {
            builder.setRequestTimeout(timeout);
        }
        Request built = builder.build();
        // AHC appends "; charset=UTF-8" to a text/* Content-Type given without one; a request
        // must reach the server as the caller wrote it.
        request.headers().forEach((name, value) -> {
            if (name.equalsIgnoreCase("Content-Type")) {
                built.getHeaders().set(HttpHeaderNames.CONTENT_TYPE, utf8OnTheWire(value));
            }
        });
        return built;
    }

    /**
     * {@code value} as Netty must be given it to send its UTF-8 bytes, as the JDK does (and
     * curl, for what a UTF-8 terminal typed): Netty writes each char as one byte, so a value
     * beyond ASCII goes as a string of its UTF-8 bytes. Before, é went as Latin-1 here and as
     * UTF-8 from the blocking engines, and a char past Latin-1 as "?".
     */
    private static String utf8OnTheWire(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return new String(value.getBytes(StandardCharsets.UTF_8),
                        StandardCharsets.ISO_8859_1);
            }
        }
        return value;
    }

    /**
     * What an item the engine's close ends comes to: one each, as an exception is mutable (a
     * suppressed one added to a shared instance would show on every item).
     */
    private static java.util.concurrent.CancellationException engineClosed() {
        return new java.util.concurrent.CancellationException("engine closed");
    }

    /**
     * Ends every item in flight as cancelled, and starts no later exchange of one (a redirect's
     * next, a resend).
     *
     * <p>AHC's own close closes every connection but, once closed, heeds no connection's close
     * (its channelInactive returns at once): only an exchange whose answer had begun to come
     * ended, failed by {@link DecoderFailureHandler}. One still connecting, or sent and not yet
     * answered (a redirect's next request just sent, say), was left pending for ever. So each
     * item's exchange is aborted here first, on its connection's loop, before the client closes.
     */
    @Override
    public void close() {
        // Once: a second close would release the shared loop again, and shut it down under
        // another engine still using it.
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        live.forEach(handle -> handle.cancel(engineClosed()));
        try {
            client.close();
        } catch (java.io.IOException e) {
            // Closing only releases resources; nothing is left to report to.
        } finally {
            // AHC leaves a timer it was given running; stopping it after the client means the
            // pool is already closed when a last idle sweep finds the wheel stopped.
            timer.stop();
            SharedEventLoop.release();
        }
    }
}
