package dev.bulkfetch.engine;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.ProtocolException;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;
import org.asynchttpclient.handler.ProgressAsyncHandler;

/**
 * Counts the body as it streams, feeds the body handler, and stops a body over the limit.
 * A redirect to follow is only noted: its body is read past (so the connection stays
 * reusable) and neither counted nor handed on. It notes when the request has been written
 * whole, from which {@link IdleWatch} counts a silence.
 */
final class CountingHandler implements ProgressAsyncHandler<CountingHandler.Hop> {
    /**
     * What one exchange came to: the item's outcome, or a redirect ({@code location} set) for
     * the engine to follow.
     */
    record Hop(Outcome outcome, int status, String location) {
    }

    // AHC times a later exchange's timeout in whole milliseconds, cut down: its deadline may
    // come up to one before the item's.
    private static final long SLACK = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1);

    private final EngineOptions options;
    private final long maxBody;
    // Set by the sending thread as it takes a pooled connection, before the request is
    // handed to the event loop, whose failure lostUnanswered then reads: ordered by that
    // hand-off.
    private boolean reused;
    private final long start;
    private final boolean mayFollow;
    private String location;
    private long drained;
    private int status;
    // The final response's status once its head is read (0 before, and for a redirect): a
    // failure from then on (in its body) keeps it. Read by whichever thread fails the
    // exchange (AHC's timer, for a timeout).
    private volatile int answered;
    // Read by whichever thread fails the exchange (AHC's timer, for a timeout).
    private volatile long bytes;
    private boolean tooLarge;
    private boolean headersSeen;
    // A body with neither a length nor chunks, which ends where the connection does.
    private boolean closeDelimited;
    private final java.util.function.BooleanSupplier engineClosing;
    // Read by whichever thread fails the exchange, as answered is.
    private volatile String retryAfter;
    private final BodyReader body;
    // The exchange's request (this hop's), for its method and the body handler's
    // ResponseInfo: the URL it went to, its seq and id.
    private final FetchRequest request;
    // When the request had been written whole, for IdleWatch's timer thread; 0 before.
    private volatile long written;

    CountingHandler(EngineOptions options, long start, FetchRequest request,
                    java.util.function.BooleanSupplier engineClosing) {
        this.options = options;
        this.engineClosing = engineClosing;
        this.request = request;
        this.maxBody = options.maxBodyBytes();
        this.start = start;
        this.mayFollow = options.maxRedirects() > 0;
        this.body = new BodyReader(options.bodyHandler());
    }

    @Override
    public void onConnectionPooled(Channel connection) {
        reused = true;
    }

    /**
     * Refuses a connection made after the exchange timed out (a tiny {@code --timeout}, a
     * server slow to accept): AHC (3.0.1, and 3.0.9 still: LateConnectTest fails without this
     * check) went on with it to a NullPointerException of its own
     * ("timeoutsHolder is null"), which Netty printed with its stack trace on the user's
     * stderr, and left it open, owned by no request, until the engine closed. Refused here,
     * AHC closes it and fails the exchange, which its timeout has failed already. Past the
     * deadline rather than after onThrowable: AHC's timer ends the exchange for AHC before it
     * tells this handler, and a connection may come in between.
     */
    @Override
    public void onTcpConnectSuccess(java.net.InetSocketAddress address, Channel connection) {
        if (System.nanoTime() - start >= options.requestTimeout().toNanos() - SLACK) {
            // Should it end the exchange first, a timeout by Failures' reading, as AHC's.
            throw new IllegalStateException("connected too late",
                    new java.util.concurrent.TimeoutException("request deadline passed"));
        }
    }

    /**
     * AHC's word that the request's head has been written: the whole request, its body too,
     * as the engine gives AHC a body as bytes, which go in the head's one message (a body
     * AHC writes after the head is {@link #onContentWritten}'s, which this engine has none
     * of). Not from the start of the write: a large body the server is slow to read is no
     * silence, as on the blocking engines, whose idle timeout is a socket read's, which
     * begins once the body has gone.
     */
    @Override
    public State onHeadersWritten() {
        written = org.asynchttpclient.util.DateUtils.unpreciseMillisTime();
        return State.CONTINUE;
    }

    @Override
    public State onContentWritten() {
        return State.CONTINUE;
    }

    @Override
    public State onContentWriteProgress(long amount, long current, long total) {
        return State.CONTINUE;
    }

    /**
     * When the request had been written whole, in AHC's clock ({@link IdleWatch}'s); 0
     * before, and for a request whose write failed.
     */
    long written() {
        return written;
    }

    /** Whether a connection from the pool closed before any answer came on it. */
    boolean lostUnanswered(Throwable thrown) {
        return reused && status == 0
                && Failures.classify(thrown).kind() == ErrorKind.RESET;
    }

    @Override
    public State onStatusReceived(HttpResponseStatus responseStatus)
            throws ProtocolException {
        status = responseStatus.getStatusCode();
        StatusCodes.check(status, responseStatus.getProtocolText() + " " + status + " "
                + responseStatus.getStatusText());
        if (status == 101) {
            // No request here asks to switch protocols, and what follows a 101 is not
            // HTTP: an error, as the JDK has it, not an answer to count.
            throw new ProtocolException(Wording.UNASKED_101);
        }
        return State.CONTINUE;
    }

    @Override
    public State onHeadersReceived(HttpHeaders headers) throws ProtocolException {
        headersSeen = true;
        if (mayFollow && Redirects.isRedirect(status)) {
            location = SingleHeader.value("Location",
                    headers.getAll(HttpHeaderNames.LOCATION));
            if (location != null) {
                // A long 3xx body is not worth its connection: closing it still follows.
                String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
                return length != null && BodyReader.expected(request.method(), status)
                        && declaredOver(length, Redirects.DRAINED_BYTES)
                        ? State.ABORT : State.CONTINUE;
            }
        }
        answered = status;
        retryAfter = headers.get(HttpHeaderNames.RETRY_AFTER);
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null && BodyReader.expected(request.method(), status)
                && declaredOver(length, maxBody)) {
            tooLarge = true;
            return State.ABORT;
        }
        closeDelimited = length == null
                && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
        body.open(new ResponseHead<>(status, request, request.url(), headers,
                ResponseHead.NETTY));
        return State.CONTINUE;
    }

    private static boolean declaredOver(String length, long limit) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * AHC calls {@link #onHeadersReceived} only for a response that has headers: one with
     * none ({@code HTTP/1.0 200 OK}, a blank line, a body to the close) went to no body
     * handler, and its body was counted but not kept. So it is called here for those.
     */
    private void headersIfNone() throws ProtocolException {
        if (!headersSeen) {
            onHeadersReceived(EmptyHttpHeaders.INSTANCE);
        }
    }

    @Override
    public State onBodyPartReceived(HttpResponseBodyPart part) throws ProtocolException {
        headersIfNone();
        if (location != null) {
            drained += part.length();
            return drained > Redirects.DRAINED_BYTES ? State.ABORT : State.CONTINUE;
        }
        bytes += part.length();
        if (bytes > maxBody) {
            tooLarge = true;
            return State.ABORT;
        }
        body.accept(part.getBodyByteBuffer());
        return State.CONTINUE;
    }

    @Override
    public void onThrowable(Throwable t) {
        // The future completes exceptionally, for failed() to make the outcome.
    }

    /** The outcome of an exchange that failed, with the body bytes that came before. */
    Hop failed(Throwable thrown) {
        body.abandon();
        if (engineClosing.getAsBoolean()) {
            // Failed by the engine's close, in whatever words AHC or Netty found (a closed
            // channel; "event executor terminated" from a resend's stage the closed loop
            // refused, which read protocol): cut off, as onCompleted has it, so a stopped
            // run records nothing and a resume fetches the item again.
            thrown = new java.util.concurrent.CancellationException("engine closed");
        } else if (System.nanoTime() - start >= options.requestTimeout().toNanos() - SLACK
                && Failures.classify(thrown).kind() == dev.bulkfetch.ErrorKind.RESET) {
            // AHC's request timeout closes the connection before it fails the exchange, and
            // the close may fail the request's write first: a stalled upload then ended as
            // "connection closed", a reset, now and then (found by review). Past the item's
            // deadline, a close is the timeout's.
            thrown = new java.util.concurrent.TimeoutException("request deadline passed");
        }
        Outcome failure = Failures.outcome(thrown, location == null ? bytes : 0,
                System.nanoTime() - start, options);
        return new Hop(answered == 0 ? failure
                : body.failedFirst(failure.withStatus(answered, retryAfter)), status, null);
    }

    @Override
    public Hop onCompleted() throws ProtocolException {
        headersIfNone();
        if (location != null) {
            return new Hop(null, status, location);
        }
        if (closeDelimited && engineClosing.getAsBoolean()) {
            // Netty reads the connection's close as a close-delimited body's end, but this
            // close was the engine's own: the body is cut off, not whole.
            body.abandon();
            throw new java.util.concurrent.CancellationException("engine closed");
        }
        long latency = System.nanoTime() - start;
        if (tooLarge) {
            body.abandon();
            // Parts arrive in whatever sizes the network made; report what the blocking
            // engines report, the limit plus one, so records agree.
            return new Hop(body.failedFirst(Outcome.answeredWith(status,
                    Engine.tooLarge(maxBody), Math.min(bytes, maxBody + 1), latency)),
                    status, null);
        }
        return new Hop(body.finish(status, bytes, latency, retryAfter), status, null);
    }
}
