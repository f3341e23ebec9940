package dev.bulkfetch.engine;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.BodyHandler;
import dev.bulkfetch.FetchRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A blocking client, {@link HttpURLConnection}, with one thread blocked on its own socket per
 * request in flight: a fixed pool of platform threads ({@code threads}), a virtual thread per
 * request ({@code virtual}), or a single platform thread ({@code serial}). The JDK's
 * {@code HttpClient} is not used: its {@code send()} parks on an internal selector, which is the
 * event-loop approach again, not the one being compared.
 *
 * <p>Admission is upstream, so the pool never holds a queue: at most {@code concurrency} tasks
 * are ever submitted at once. Keep-alive is the JDK's connection cache, sized to the concurrency
 * through {@code http.maxConnections} ({@link JdkHttpSettings}). Redirects are followed here,
 * not by the JDK, under the same {@link Redirects} policy as the event loop's; a request lost
 * with its connection is sent again by the JDK itself, held to {@link Resends}. The
 * whole-request timeout is a watchdog that closes the connection, since the JDK only bounds
 * connect and each read.
 */
final class BlockingEngine implements Engine {

    private static final int BUFFER_BYTES = 16 * 1024;

    private final EngineKind kind;
    private final EngineOptions options;
    private final ExecutorService executor;
    // The platform threads of the threads and serial engines (null on virtual threads): one
    // more for each cancelled exchange still blocked in a body's read (see lend).
    private final java.util.concurrent.ThreadPoolExecutor pool;
    private final ScheduledThreadPoolExecutor watchdog;
    // Exchanges under way, on any of the engine's threads, for close() to end.
    private final java.util.Set<Exchange> live =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    // Set by close(); read by exchanges as they open a connection or read their body.
    private volatile boolean closing;
    private final HostGuard guard;
    // Sockets that trust the certificates given in place of the JDK's CAs; null for the JDK's.
    private final javax.net.ssl.SSLSocketFactory trusted;
    private final RedirectGate redirectGate;
    private final JdkIdleCap idleCap;

    BlockingEngine(EngineKind kind, EngineOptions options, RedirectGate redirectGate) {
        this.redirectGate = redirectGate;
        this.kind = kind;
        this.options = options;
        this.guard = HostGuard.of(options);
        this.trusted = options.trustedCertificates().isEmpty() ? null
                : TrustedCertificates.socketFactory(options.trustedCertificates());
        JdkHttpSettings.applyFor(options.concurrency());
        this.idleCap = new JdkIdleCap(Math.max(64, 2 * options.concurrency()));
        this.pool = switch (kind) {
            case THREADS -> platformPool(options.concurrency(), "bulkfetch-thread-");
            case SERIAL -> platformPool(1, "bulkfetch-serial-");
            case VIRTUAL -> null;
            case EVENT_LOOP -> throw new IllegalArgumentException("not a blocking engine: " + kind);
        };
        this.executor = pool != null ? pool : Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("bulkfetch-virtual-", 0).factory());
        this.watchdog = new ScheduledThreadPoolExecutor(1, named("bulkfetch-timeout-"));
        this.watchdog.setRemoveOnCancelPolicy(true);
    }

    private static java.util.concurrent.ThreadPoolExecutor platformPool(int threads,
                                                                        String prefix) {
        return new java.util.concurrent.ThreadPoolExecutor(threads, threads, 0L,
                TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                named(prefix));
    }

    /**
     * One thread more (or, with {@code more} false, back to as many as before) in the pool,
     * for an exchange cancelled while its platform thread is blocked reading a body: that
     * thread notices nothing until the read returns (the idle timeout, at most), and the
     * request after it, whose place under the cap the cancel gave, waited for it.
     */
    private synchronized void lend(boolean more) {
        if (pool == null) {
            return;
        }
        if (more) {
            pool.setMaximumPoolSize(pool.getMaximumPoolSize() + 1);
            pool.setCorePoolSize(pool.getCorePoolSize() + 1);
        } else {
            pool.setCorePoolSize(pool.getCorePoolSize() - 1);
            pool.setMaximumPoolSize(pool.getMaximumPoolSize() - 1);
        }
    }

    private static ThreadFactory named(String prefix) {
        return Thread.ofPlatform().name(prefix, 1).daemon().factory();
    }

    @Override
    public String name() {
        return kind.cliName();
    }

    @Override
    public CompletableFuture<Outcome> send(FetchRequest request) {
        Outcome refused = guard.refused(request);
        if (refused != null) {
            return CompletableFuture.completedFuture(refused);
        }
        String refusal = kind.refusal(request);
        if (refusal != null) {
            return CompletableFuture.completedFuture(Outcome.failure(FetchError.of(
                    ErrorKind.INPUT, refusal), 0, 0));
        }
        try {
            Cancel cancel = new Cancel();
            CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(
                    () -> exchange(request, cancel), executor);
            // Cancelled by the caller (a library user's cancel): the exchange ends as at its
            // deadline, or never starts if it is still waiting for a thread.
            outcome.whenComplete((done, thrown) -> {
                if (thrown instanceof java.util.concurrent.CancellationException) {
                    cancel.cancel();
                }
            });
            return outcome;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Outcome.failure(
                    FetchError.of(ErrorKind.CANCELLED, "engine closed"), 0, 0));
        }
    }

    /** A caller's cancel of one item, and the exchange it ends when there is one. */
    private static final class Cancel {
        // Guarded by this.
        private boolean cancelled;
        private Exchange exchange;

        /** Notes {@code started} as the item's exchange; false when it is cancelled already. */
        synchronized boolean started(Exchange started) {
            exchange = started;
            return !cancelled;
        }

        void cancel() {
            Exchange under;
            synchronized (this) {
                cancelled = true;
                under = exchange;
            }
            if (under != null) {
                under.cancel();
            }
        }
    }

    private Outcome exchange(FetchRequest request, Cancel cancel) {
        long start = System.nanoTime();
        Exchange exchange = new Exchange(start + options.requestTimeout().toNanos());
        if (!cancel.started(exchange)) {
            return Outcome.failure(FetchError.of(ErrorKind.CANCELLED, "cancelled by its caller"),
                    0, 0);
        }
        live.add(exchange);
        ScheduledFuture<?> deadline = watchdog.schedule(() -> exchange.abortBeforeBody(true),
                options.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        try {
            Outcome outcome = exchange.run(Credentials.asHeader(request), start);
            return exchange.redirected ? outcome.afterRedirect() : outcome;
        } catch (DroppedHeader e) {
            exchange.abort();
            return Outcome.failure(FetchError.of(ErrorKind.INPUT, e.getMessage()), 0, 0);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // Out of memory too: a body that did not fit the heap is too_large, as on the
            // event loop, not a cancelled item with the JVM's words for it.
            exchange.abort();
            long latency = System.nanoTime() - start;
            Outcome failed = exchange.timedOut
                    || System.nanoTime() - exchange.deadlineNanos >= 0
                    ? Outcome.failure(FetchError.of(ErrorKind.TIMEOUT, "timed out: request took"
                            + " longer than " + options.requestTimeout().toMillis() + " ms"),
                            exchange.bytes, latency)
                    : Failures.outcome(e, exchange.bytes, latency);
            return exchange.redirected ? failed.afterRedirect() : failed;
        } finally {
            exchange.end();
            exchange.settleSlot();
            // Too large, failed or cancelled before its end: the body is given up on.
            exchange.reader.abandon();
            deadline.cancel(false);
            live.remove(exchange);
            if (exchange.lent()) {
                lend(false);
            }
        }
    }

    /**
     * One request and its redirects, on the calling thread. The whole-request deadline is kept
     * in three ways, because {@code HttpURLConnection} allows no socket access: until the body
     * starts, the watchdog closes the connection, which ends a blocked connect or header read;
     * while the body streams, the reading thread checks the deadline after every read (the
     * watchdog cannot close the connection then: closing a stream another thread is reading
     * blocks on the stream's lock until that read ends). A body that stalls is ended at the
     * deadline on a virtual thread, which the watchdog interrupts (that closes its socket); a
     * platform thread's reads time out after the time the request had left when its
     * connection opened, if that is shorter than the idle timeout, so such a body ends within
     * that time of the deadline, not within the idle timeout (20 s of it, or more).
     */
    private final class Exchange {
        // Brought forward to now by a caller's cancel: everything that keeps the deadline
        // then ends the exchange.
        private volatile long deadlineNanos;
        // The connection in use; read by the watchdog thread to abort it.
        private volatile HttpURLConnection connection;
        // Set by the reading thread when it starts on the body; read by the watchdog.
        private volatile boolean readingBody;
        // Set by the reading thread before readingBody, for a final body that ends only with
        // its connection; read by the threads that end the exchange (see abortBeforeBody).
        private volatile boolean closeDelimited;
        // Set by the exchange's thread while a redirect waits for the rate; read by cancel().
        private volatile boolean awaitingPermit;
        // Set by whichever thread found the deadline passed.
        private volatile boolean timedOut;
        // Set by the exchange's thread once a redirect is followed.
        private boolean redirected;
        private final Thread thread = Thread.currentThread();
        // Where this exchange holds a slot of the idle cap, until its connection is kept or not.
        private java.net.URI slot;
        // Guarded by this: whether the exchange is over, and whether the watchdog interrupted
        // its thread, whose flag the exchange then clears, so it outlives nothing.
        private boolean over;
        private boolean interrupted;
        private boolean lent;
        private long bytes;
        private final BodyReader reader = new BodyReader(options.bodyHandler());

        Exchange(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        Outcome run(FetchRequest request, long start) throws IOException {
            for (int redirects = 0; ; redirects++) {
                HttpURLConnection conn = open(request);
                int status = conn.getResponseCode();
                // Index 0 holds the status line, when there was one (else a header): its
                // text, as the parsed code reads a +200 or a 0200 as 200.
                StatusCodes.check(status, conn.getHeaderFieldKey(0) == null
                        ? conn.getHeaderField(0) : null);
                JdkHeaders headers = JdkHeaders.of(conn);
                // Checked first, as Netty does: a redirect's length must be valid too.
                long declared = SingleHeader.contentLength(headers.contentLengths);
                // A HEAD's, a 204's or a 304's length is of a body that does not come.
                boolean bodyComes = BodyReader.expected(request.method(), status);
                String location = Redirects.isRedirect(status) && options.maxRedirects() > 0
                        ? SingleHeader.value("Location", headers.locations) : null;
                if (location != null) {
                    discard(conn, bodyComes ? declared : 0, request.url());
                    if (redirects == options.maxRedirects()) {
                        throw Redirects.tooMany(options.maxRedirects());
                    }
                    redirected = true;
                    request = Redirects.follow(request, status, location);
                    guard.checkRedirect(request.url());
                    awaitPermit(request.url());
                    continue;
                }
                if (declared > options.maxBodyBytes() && bodyComes) {
                    conn.disconnect();
                    return tooLarge(status, start);
                }
                closeDelimited = bodyComes && declared < 0
                        && conn.getHeaderField("Transfer-Encoding") == null;
                readingBody = true;
                // Read now: keepOrClose may disconnect before the outcome is made.
                String retryAfter = JdkHeaders.first(conn, "Retry-After");
                reader.open(new BodyHandler.ResponseInfo() {
                    @Override
                    public int status() {
                        return status;
                    }

                    @Override
                    public Optional<String> header(String name) {
                        return Optional.ofNullable(JdkHeaders.first(conn, name));
                    }
                });
                if ((status == 401 || status == 407) && request.body() != null
                        && conn.getErrorStream() == null) {
                    // Streaming a request body, the JDK answers a 401 or 407 by dropping the
                    // connection and its body (for an Authenticator's retry): the status
                    // stands, the body is lost (it was a protocol error).
                    conn.disconnect();
                    return reader.finish(status, 0, System.nanoTime() - start, retryAfter);
                }
                try (InputStream body = status >= 400 ? conn.getErrorStream()
                        : conn.getInputStream()) {
                    // A body framed by its Content-Length: not when chunked too, where the
                    // chunks rule (RFC 9112, 6.3), as Netty has it.
                    boolean byLength = declared >= 0 && bodyComes
                            && conn.getHeaderField("Transfer-Encoding") == null;
                    // The JDK's stream does not stop at the Content-Length (a 5-byte body came
                    // back as 15, its excess with it): read what it declares, as Netty does.
                    if (body != null && !countBody(body, byLength ? declared : -1)) {
                        conn.disconnect();
                        return tooLarge(status, start);
                    }
                    if (byLength && bytes < declared) {
                        // The JDK ends a fixed-length body quietly when the server closes early.
                        conn.disconnect();
                        throw new java.net.ProtocolException("invalid HTTP response: the body "
                                + "ended after " + bytes + " of " + declared + " bytes");
                    }
                    keepOrClose(conn, request.url());
                }
                return reader.finish(status, bytes, System.nanoTime() - start, retryAfter);
            }
        }

        /** Waits, within the deadline, for the rate to let a redirect's request start. */
        private void awaitPermit(java.net.URI to) throws IOException {
            try {
                awaitingPermit = true;
                if (System.nanoTime() - deadlineNanos >= 0) {
                    throw new java.util.concurrent.TimeoutException();  // cancelled just now
                }
                redirectGate.permit(to).get(Math.max(0, deadlineNanos - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                timedOut = true;
                throw new java.net.SocketTimeoutException("request deadline passed waiting for"
                        + " the rate to allow a redirect");
            } catch (InterruptedException e) {
                // The engine is closing (Ctrl-C's grace is out).
                Thread.currentThread().interrupt();
                throw new java.util.concurrent.CancellationException("engine closed");
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException(e.getCause());
            } finally {
                awaitingPermit = false;
            }
        }

        private HttpURLConnection open(FetchRequest request) throws IOException {
            settleSlot();
            if (idleCap.taking(request.url())) {
                slot = request.url();
            }
            HttpURLConnection conn = (HttpURLConnection) request.url().toURL()
                    .openConnection(Proxy.NO_PROXY);
            connection = conn;
            if (closing) {
                // close() may have passed this exchange before it had this connection.
                throw new java.util.concurrent.CancellationException("engine closed");
            }
            conn.setInstanceFollowRedirects(false);
            if (conn instanceof javax.net.ssl.HttpsURLConnection https) {
                if (options.insecure()) {
                    Insecure.apply(https);
                } else if (trusted != null) {
                    https.setSSLSocketFactory(trusted);
                }
            }
            conn.setUseCaches(false);
            // No more than the request has left: the watchdog cannot end a connect under way
            // (the JDK's connection has no socket to close until it is made), so a connect
            // timeout longer than --timeout overran it.
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                timedOut = true;
                throw new java.net.SocketTimeoutException("request deadline passed");
            }
            conn.setConnectTimeout(millis(java.time.Duration.ofNanos(
                    Math.min(options.connectTimeout().toNanos(), left))));
            // No longer than the request has left either: any read then ends past the deadline
            // at the latest, which a platform thread stalled in a body has no other way to see.
            conn.setReadTimeout(millis(java.time.Duration.ofNanos(
                    Math.min(options.idleTimeout().toNanos(), left + 1_000_000))));
            conn.setRequestMethod(request.method());
            conn.setRequestProperty("User-Agent", "bulkfetch/0.1");
            for (Map.Entry<String, String> header : request.headers().entrySet()) {
                conn.setRequestProperty(header.getKey(), header.getValue());
                if (conn.getRequestProperty(header.getKey()) == null
                        && !header.getKey().equalsIgnoreCase("Authorization")
                        && !header.getKey().equalsIgnoreCase("Proxy-Authorization")) {
                    // Dropped: restricted headers are allowed only when JdkHttpSettings came
                    // before the JDK read its setting (not so in a host that used the JDK's
                    // client first). It hides the two above whatever it sends.
                    throw new DroppedHeader(header.getKey());
                }
            }
            if (slot == null && idleCap.full() && conn.getRequestProperty("Connection") == null) {
                // No slot to keep this connection in, and a response without a body (to a
                // HEAD, a 204) is back in the JDK's cache before it can be closed: the server
                // closes it instead.
                conn.setRequestProperty("Connection", "close");
            }
            // A POST or PUT without a body is sent with a length of 0, as the event loop sends
            // it: without one, servers that want a length (IIS, Google's) answer 411. As a
            // header, not by streaming no bytes: streaming adds a form Content-Type, loses a
            // 401's body, and turns off the JDK's resend on a stale connection.
            byte[] body = request.body();
            if (body == null && SENDS_LENGTH.contains(request.method())) {
                conn.setRequestProperty("Content-Length", "0");
                if (conn.getRequestProperty("Content-Length") == null) {
                    body = new byte[0];  // restricted headers refused in this JVM: stream none
                }
            }
            if (body != null) {
                conn.setDoOutput(true);
                conn.setFixedLengthStreamingMode(body.length);
            }
            try {
                // Made here, not by the first write or read, so that a failure while making it
                // (TLS handshake included) is told apart as AHC tells it: see Failures.
                conn.connect();
            } catch (IOException e) {
                throw (IOException) new java.net.ConnectException(e.getMessage()).initCause(e);
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                // Cancelled, or out of time, while connecting (a disconnect cannot reach a
                // connect under way): nothing of the request goes.
                conn.disconnect();
                throw new java.net.SocketTimeoutException("request deadline passed while "
                        + "connecting");
            }
            if (body != null) {
                try (OutputStream out = conn.getOutputStream()) {
                    out.write(body);
                }
            }
            return conn;
        }

        /**
         * Counts the body and feeds it to the body handler; false when it passes the limit.
         * Reads at most the {@code declared} length when there is one (-1: none), else at most
         * one byte past the limit, so {@code bytes} is then the limit plus one on every engine.
         */
        private boolean countBody(InputStream body, long declared) throws IOException {
            byte[] buffer = new byte[BUFFER_BYTES];
            long limit = declared >= 0 ? declared : options.maxBodyBytes() + 1;
            int n;
            while ((n = readOrCut(body, buffer, (int) Math.min(buffer.length, limit - bytes)))
                    > 0) {
                bytes += n;
                if (bytes <= options.maxBodyBytes()) {
                    reader.accept(buffer, 0, n);
                }
                if (System.nanoTime() - deadlineNanos > 0) {
                    timedOut = true;
                    throw new java.net.SocketTimeoutException("request deadline passed");
                }
                if (closing) {
                    throw new java.util.concurrent.CancellationException("engine closed");
                }
            }
            if (closing && declared < 0) {
                // A body that ends where its connection does may have ended because close()
                // closed that connection (a virtual thread's, by interrupting it): cut off.
                throw new java.util.concurrent.CancellationException("engine closed");
            }
            return bytes <= options.maxBodyBytes();
        }

        /**
         * One read of the body. Failed while the engine closes, it was cut by the close (the
         * connection closed under it, a virtual thread's by its interrupt): the item was
         * cancelled, not reset by its server.
         */
        private int readOrCut(InputStream body, byte[] buffer, int length) throws IOException {
            try {
                return body.read(buffer, 0, length);
            } catch (IOException e) {
                if (closing) {
                    throw (java.util.concurrent.CancellationException)
                            new java.util.concurrent.CancellationException("engine closed")
                                    .initCause(e);
                }
                throw e;
            }
        }

        /** The server answered {@code status}, with a body over the limit. */
        private Outcome tooLarge(int status, long start) {
            return Outcome.answeredWith(status, Engine.tooLarge(options.maxBodyBytes()), bytes,
                    System.nanoTime() - start);
        }

        /**
         * Reads a redirect's body past, so its connection can be reused; one longer than
         * {@link Redirects#DRAINED_BYTES} closes the connection instead.
         */
        private void discard(HttpURLConnection conn, long declared, java.net.URI url)
                throws IOException {
            if (declared > Redirects.DRAINED_BYTES) {
                conn.disconnect();
                return;
            }
            long read = 0;
            // A body being read, as the final one is: the watchdog must not close its stream
            // (that waits on the stream's lock), and the deadline is checked here.
            readingBody = true;
            try (InputStream body = conn.getErrorStream() != null ? conn.getErrorStream()
                    : conn.getInputStream()) {
                byte[] buffer = new byte[BUFFER_BYTES];
                int n;
                while (body != null && read <= Redirects.DRAINED_BYTES
                        && (n = body.read(buffer)) > 0) {
                    read += n;
                    if (System.nanoTime() - deadlineNanos > 0) {
                        timedOut = true;
                        throw new java.net.SocketTimeoutException("request deadline passed");
                    }
                    if (closing) {
                        throw new java.util.concurrent.CancellationException("engine closed");
                    }
                }
                if (read > Redirects.DRAINED_BYTES) {
                    conn.disconnect();
                } else {
                    keepOrClose(conn, url);
                }
            } finally {
                readingBody = false;
            }
        }

        /**
         * Closes a connection whose response was read to its end when the {@link JdkIdleCap}
         * has no room for it; else the JDK keeps it as the stream closes.
         */
        private void keepOrClose(HttpURLConnection conn, java.net.URI url) {
            if ("close".equalsIgnoreCase(conn.getHeaderField("Connection"))) {
                settleSlot();
                return;
            }
            boolean holding = slot != null;
            slot = null;
            if (!idleCap.mayKeep(url, conn.getHeaderField("Connection"),
                    conn.getHeaderField("Keep-Alive"), holding)) {
                conn.disconnect();
            }
        }

        /** A slot this exchange still holds (its hop failed, or it is over) is freed. */
        void settleSlot() {
            if (slot != null) {
                idleCap.release(slot);
                slot = null;
            }
        }

        /**
         * Ends a blocked connect or header read, at the {@code deadline} or as the engine
         * closes. A body being read, whose thread checks both after every read, is ended here
         * only where its read would not end soon: a virtual thread's at the deadline, by an
         * interrupt; a platform thread's when the body ends with its connection, by closing
         * that. A platform thread's read of a body with a length or chunks cannot be ended
         * from here: the JDK's stream for it takes the lock its read holds to close (and so
         * does {@code disconnect()}, through it), and it exposes no socket to close instead.
         */
        void abortBeforeBody(boolean deadline) {
            if (!readingBody) {
                if (deadline) {
                    timedOut = true;
                }
                // On a thread of its own: should a close still wait on a lock, it holds up
                // only itself, not the one watchdog every request's deadline depends on.
                Thread.ofVirtual().name("bulkfetch-abort").start(this::abort);
            } else if (thread.isVirtual()) {
                if (deadline) {
                    interruptReader();
                }
            } else if (closeDelimited) {
                // Read straight from the socket's stream, which closes without that lock.
                Thread.ofVirtual().name("bulkfetch-abort").start(this::abort);
            }
        }

        /** The caller cancelled: the exchange ends now, as at its deadline. */
        void cancel() {
            synchronized (this) {
                if (over) {
                    return;  // its connection may be back in the JDK's cache: not ours to close
                }
                deadlineNanos = System.nanoTime();
                if (awaitingPermit) {
                    // A redirect's wait for the rate, timed from before the cancel.
                    interrupted = true;
                    thread.interrupt();
                }
                if (readingBody && !thread.isVirtual() && !lent) {
                    // Under this lock, so the thread is lent before the exchange's end (which
                    // takes it to read lent()) can give it back.
                    lent = true;
                    lend(true);
                }
            }
            abortBeforeBody(true);
        }

        /** Whether a thread was lent for this exchange's (see {@link #lend}). */
        synchronized boolean lent() {
            return lent;
        }

        /** Ends a virtual thread's read of a body at the deadline: its socket closes. */
        private synchronized void interruptReader() {
            if (!over) {
                timedOut = true;
                interrupted = true;
                thread.interrupt();
            }
        }

        /** The exchange is over: no interrupt comes after, and none is left behind. */
        synchronized void end() {
            over = true;
            if (interrupted) {
                Thread.interrupted();
            }
        }

        void abort() {
            HttpURLConnection conn = connection;
            if (conn != null) {
                conn.disconnect();
            }
        }
    }

    /** A header the JDK's client would leave out of the request without a word. */
    private static final class DroppedHeader extends IOException {
        DroppedHeader(String name) {
            super("the JDK's HttpURLConnection in this JVM drops the header \"" + name
                    + "\" (sun.net.http.allowRestrictedHeaders was read as false before "
                    + "bulkfetch could set it); the event-loop engine sends it");
        }
    }

    /** Methods whose request carries a length even with no body (RFC 9110, 8.6). */
    private static final java.util.Set<String> SENDS_LENGTH = java.util.Set.of("POST", "PUT");


    private static int millis(java.time.Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    /**
     * Ends what is in flight and waits (briefly) for the engine's threads to end. A platform
     * thread blocked in a socket read does not notice an interrupt: an exchange still waiting
     * for its answer has its connection closed, or closing would wait out the 5 s below after
     * a Ctrl-C's grace, and so has one reading a body that ends with its connection; one
     * reading a body with a length or chunks stops at its next read (its idle timeout at the
     * latest, past the 5 s then: see abortBeforeBody), one between connections (a redirect)
     * as it opens the next.
     */
    @Override
    public void close() {
        closing = true;
        live.forEach(exchange -> exchange.abortBeforeBody(false));
        executor.shutdownNow();
        watchdog.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
            watchdog.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
