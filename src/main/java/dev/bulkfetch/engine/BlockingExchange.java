package dev.bulkfetch.engine;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.function.BooleanSupplier;

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
 *
 * <p>Made by {@link BlockingEngine} on the thread that runs it, with what the engine's
 * exchanges share ({@link Context}); the engine keeps the threads, the watchdog that keeps
 * each deadline, and the set of exchanges its close() ends.
 */
final class BlockingExchange {

    /**
     * What every exchange of one engine is given by it: the engine's options, the guard, gate,
     * idle cap and socket factory it made for its exchanges, and two views of its own state,
     * whether it is closing and a way to lend its pool a thread. No more of the engine: an
     * exchange cannot reach its pool, its watchdog or the other exchanges.
     */
    record Context(EngineOptions options, HostGuard guard, RedirectGate redirectGate,
                   JdkIdleCap idleCap, javax.net.ssl.SSLSocketFactory tls,
                   BooleanSupplier closing, Runnable lendThread) {
    }

    private final EngineOptions options;
    private final HostGuard guard;
    private final RedirectGate redirectGate;
    // Lends the engine's pool a thread (BlockingEngine.lend, under the engine's lock): called
    // under this exchange's lock, so the locks are only ever taken in that order.
    private final Runnable lendThread;
    // The deadline, brought forward by a caller's cancel, and the engine's close, with the
    // checks of both; read and set by the threads that end the exchange too.
    private final ExchangeDeadline deadline;
    // The connection in use; read by the watchdog thread to abort it.
    private volatile HttpURLConnection connection;
    // Its connections' slots in the idle cap, and their closes, made once by whichever thread.
    private final ExchangeConnections connections;
    // Opens each of its connections and sends the request on it.
    private final ExchangeRequests requests;
    // Set by the reading thread when it starts on the body; read by the watchdog.
    private volatile boolean readingBody;
    // Set by the reading thread before readingBody, for a body (a redirect's too) that ends
    // only with its connection; read by the threads that end the exchange (abortBeforeBody).
    private volatile boolean closeDelimited;
    // Set by the exchange's thread while a redirect waits for the rate; read by cancel().
    private volatile boolean awaitingPermit;
    // Set by the exchange's thread once a redirect is followed.
    private boolean redirected;
    // The URL of the request the exchange's thread sends or last sent, set as it opens each.
    private URI sentTo;
    // The final response's status (0 before) and Retry-After, set by the exchange's thread
    // once its head is read: a failure from then on (in its body) keeps them, a 429 cut short
    // still asking for its wait.
    private int answered;
    private String answeredRetryAfter;
    private final Thread thread = Thread.currentThread();
    // Guarded by this: whether the exchange is over, and whether the watchdog interrupted
    // its thread, whose flag the exchange then clears, so it outlives nothing.
    private boolean over;
    private boolean interrupted;
    private boolean lent;
    private final BodyReader reader;
    // The body's reads, on this exchange's thread, which check the deadline as they go: the
    // fields the watchdog reads stay here.
    private final BlockingBody bodyRead;

    BlockingExchange(Context context, long deadlineNanos) {
        this.options = context.options();
        this.guard = context.guard();
        this.redirectGate = context.redirectGate();
        this.connections = new ExchangeConnections(context.idleCap());
        this.lendThread = context.lendThread();
        this.deadline = new ExchangeDeadline(deadlineNanos, context.closing());
        this.requests = new ExchangeRequests(options, context.tls(), connections, deadline,
                conn -> connection = conn);
        this.reader = new BodyReader(options.bodyHandler());
        this.bodyRead = new BlockingBody(reader, options.maxBodyBytes(), context.closing(),
                deadline::check);
    }

    /**
     * Sends {@code request}, started at {@code start}, and follows its redirects, to its
     * outcome: a failure past the deadline is a timeout, whatever ended it. The exchange is
     * over when this returns, its slot of the idle cap settled and its body given up on.
     */
    Outcome outcome(FetchRequest request, long start) {
        ConnectGate.enter(deadline::mayOpen);
        try {
            Outcome outcome = run(Credentials.asHeader(request), start);
            return redirected ? outcome.afterRedirect(sentTo) : outcome;
        } catch (ConnectionSetUp.DroppedHeader e) {
            abort();
            return Outcome.failure(FetchError.of(ErrorKind.INPUT, e.getMessage()), 0, 0);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // Out of memory too: a body that did not fit the heap is too_large, as on the
            // event loop, not a cancelled item with the JVM's words for it.
            abort();
            long latency = System.nanoTime() - start;
            Outcome failed = deadline.hasTimedOut()
                    ? Outcome.failure(Timeouts.request(options), bodyRead.bytes(), latency)
                    : Failures.outcome(ConnectGate.refusal(e) != null
                            ? ConnectGate.refusal(e).getCause() : e,
                            bodyRead.bytes(), latency, options);
            if (answered != 0) {
                failed = reader.failedFirst(failed.withStatus(answered, answeredRetryAfter));
            }
            return redirected ? failed.afterRedirect(sentTo) : failed;
        } finally {
            ConnectGate.leave();
            end();
            connections.settle();
            // Too large, failed or cancelled before its end: the body is given up on.
            reader.abandon();
        }
    }

    private Outcome run(FetchRequest request, long start) throws IOException {
        for (int redirects = 0; ; redirects++) {
            URI url = request.url();
            sentTo = url;
            HttpURLConnection conn = requests.open(request);
            // Not conn.getResponseCode(), which gives the status line of a head a reset or a
            // timeout cut off as if it were an answer (see JdkHead).
            int status = JdkHead.status(conn);
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
                    return Redirects.beyondTheLimit(status, options.maxRedirects(),
                            System.nanoTime() - start);
                }
                redirected = true;
                request = Redirects.follow(request, status, location);
                guard.checkRedirect(request.url());
                awaitPermit(request.url());
                continue;
            }
            answered = status;
            // Read now: keepOrClose may disconnect before the outcome is made.
            answeredRetryAfter = headers.first("Retry-After");
            if (declared > options.maxBodyBytes() && bodyComes) {
                connections.disconnect(conn);
                return tooLarge(status, start);
            }
            closeDelimited = bodyComes && declared < 0
                    && conn.getHeaderField("Transfer-Encoding") == null;
            readingBody = true;
            String retryAfter = answeredRetryAfter;
            reader.open(new ResponseHead<>(status, request, url, headers, ResponseHead.JDK));
            if ((status == 401 || status == 407) && request.body() != null
                    && conn.getErrorStream() == null) {
                // Streaming a request body, the JDK answers a 401 or 407 by dropping the
                // connection and its body (for an Authenticator's retry): the status
                // stands, the body is lost (it was a protocol error).
                connections.disconnect(conn);
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
                if (body != null && !bodyRead.count(body, byLength ? declared : -1)) {
                    connections.disconnect(conn);
                    return tooLarge(status, start);
                }
                if (byLength && bodyRead.bytes() < declared) {
                    // The JDK ends a fixed-length body quietly when the server closes early.
                    connections.disconnect(conn);
                    throw new java.net.ProtocolException(
                            Wording.cutOff(bodyRead.bytes(), declared));
                }
                connections.keepOrClose(conn, request.url());
            }
            return reader.finish(status, bodyRead.bytes(), System.nanoTime() - start,
                    retryAfter);
        }
    }

    /** Waits, within the deadline, for the rate to let a redirect's request start. */
    private void awaitPermit(URI to) throws IOException {
        awaitingPermit = true;
        try {
            deadline.await(() -> redirectGate.permit(to));
        } finally {
            awaitingPermit = false;
        }
    }

    /** The server answered {@code status}, with a body over the limit. */
    private Outcome tooLarge(int status, long start) {
        return reader.failedFirst(Outcome.answeredWith(status,
                Engine.tooLarge(options.maxBodyBytes()), bodyRead.bytes(),
                System.nanoTime() - start));
    }

    /**
     * Reads a redirect's body past, so its connection can be reused; one longer than
     * {@link Redirects#DRAINED_BYTES} closes the connection instead.
     */
    private void discard(HttpURLConnection conn, long declared, URI url)
            throws IOException {
        if (declared > Redirects.DRAINED_BYTES) {
            connections.disconnect(conn);
            return;
        }
        // A body being read, as the final one is: the watchdog must not close its stream
        // (that waits on the stream's lock), and the deadline is checked as it is read. One
        // that ends with its connection is ended by closing that, as a final one is.
        closeDelimited = declared < 0 && conn.getHeaderField("Transfer-Encoding") == null;
        readingBody = true;
        try (InputStream body = conn.getErrorStream() != null ? conn.getErrorStream()
                : conn.getInputStream()) {
            if (bodyRead.drain(body, Redirects.DRAINED_BYTES, conn.getHeaderField(
                    "Transfer-Encoding") == null ? declared : -1) > Redirects.DRAINED_BYTES) {
                connections.disconnect(conn);
            } else {
                connections.keepOrClose(conn, url);
            }
        } finally {
            readingBody = false;
        }
    }

    /**
     * Ends a blocked connect or header read, at the {@code deadline} or as the engine
     * closes; at the deadline a virtual thread is interrupted too, which also ends a
     * connection the JDK is making itself to resend on (a platform thread's runs on to its
     * timeouts: see ConnectGate). A body being read, whose thread checks both after every
     * read, is ended here only where its read would not end soon: a virtual thread's at the
     * deadline, by an interrupt; a platform thread's when the body ends with its connection,
     * by closing that. A platform thread's read of a body with a length or chunks cannot be ended
     * from here: the JDK's stream for it takes the lock its read holds to close (and so
     * does {@code disconnect()}, through it), and it exposes no socket to close instead.
     */
    void abortBeforeBody(boolean deadline) {
        if (!readingBody) {
            if (deadline) {
                this.deadline.timedOut();
                if (thread.isVirtual()) {
                    // The close below reaches only the connection the JDK was given: one it
                    // makes itself to send a lost request again (Resends) was, if still
                    // connecting now, made after the deadline and waited on for as long as
                    // the request had at its start. Interrupted, a virtual thread's connect
                    // or read closes its socket, and the JDK sends nothing again.
                    interruptThread();
                }
            }
            // On a thread of its own: should a close still wait on a lock, it holds up
            // only itself, not the one watchdog every request's deadline depends on.
            Thread.ofVirtual().name("bulkfetch-abort").start(this::abort);
        } else if (thread.isVirtual()) {
            if (deadline) {
                interruptThread();
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
            deadline.bringForward();
            if (awaitingPermit) {
                // A redirect's wait for the rate, timed from before the cancel.
                interrupted = true;
                thread.interrupt();
            }
            if (readingBody && !thread.isVirtual() && !lent) {
                // Under this lock, so the thread is lent before the exchange's end (which
                // takes it to read lent()) can give it back.
                lent = true;
                lendThread.run();
            }
        }
        abortBeforeBody(true);
    }

    /** Whether a thread was lent for this exchange's (see BlockingEngine.lend). */
    synchronized boolean lent() {
        return lent;
    }

    /** Ends a virtual thread's connect or read at the deadline: its socket closes. */
    private synchronized void interruptThread() {
        if (!over) {
            deadline.timedOut();
            interrupted = true;
            thread.interrupt();
        }
    }

    /** The exchange is over: no interrupt comes after, and none is left behind. */
    private synchronized void end() {
        over = true;
        if (interrupted) {
            Thread.interrupted();
        }
    }

    private void abort() {
        HttpURLConnection conn = connection;
        if (conn != null) {
            connections.disconnect(conn);
        }
    }
}
