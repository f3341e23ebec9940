package dev.bulkfetch.engine;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Turns the exceptions of every engine's client into the same {@link FetchError}, so the same
 * server behaviour reads the same in a record whichever engine met it. Looks through the cause
 * chain, since clients wrap (AHC wraps a connect timeout in a {@code ConnectException}).
 */
final class Failures {

    private Failures() {
    }

    /**
     * The outcome of an exchange that ended with {@code thrown}: classified, marked unsent
     * when no connection was made, and marked TLS when its TLS handshake failed. A connect
     * timeout reads {@code timeout}, as every timeout does, but like a refused connection it
     * is safe to send again, a POST's too. A timeout says which of {@code options}' ran out,
     * in {@link Timeouts}' words.
     */
    static Outcome outcome(Throwable thrown, long bytes, long latencyNanos,
                           EngineOptions options) {
        FetchError error = classify(thrown);
        if (error.kind() == ErrorKind.TIMEOUT) {
            error = Timeouts.of(thrown, options);
        }
        boolean refused = certificateRefused(thrown);
        Outcome outcome = beforeSending(thrown) || refused
                ? Outcome.failureBeforeSending(error, latencyNanos, refused)
                : Outcome.failure(error, bytes, latencyNanos);
        return error.kind() == ErrorKind.CONNECT && inTlsHandshake(thrown)
                ? outcome.inTlsHandshake() : outcome;
    }

    /**
     * Whether the TLS handshake failed, for a {@code connect} error: the client's TLS said so
     * (a certificate refused, a handshake alert, a server that answered without TLS), or, on
     * the event loop, the channel closed with a handshake failure suppressed in it. The JDK's
     * engines say so through {@link TlsHandshakes} of a reset in the handshake, and of a TLS
     * 1.3 server's refusal for want of a client certificate, after its end.
     */
    private static boolean inTlsHandshake(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return endedDuringHandshake(thrown);
    }

    /**
     * Whether the TLS handshake refused the server's certificate (untrusted, expired, another
     * host's): the same certificate is refused on every attempt, so retrying only triples the
     * wait and the traffic.
     */
    private static boolean certificateRefused(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertPathValidatorException invalid
                    && invalid.getReason() == java.security.cert.CertPathValidatorException
                            .BasicReason.UNDETERMINED_REVOCATION_STATUS) {
                // A revocation check that could not be made (its responder down) may pass
                // the next time.
                return false;
            }
        }
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertificateException
                    || t instanceof java.security.cert.CertPathValidatorException
                    || t instanceof java.security.cert.CertPathBuilderException) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code thrown} came while connecting: the request was not written. */
    private static boolean beforeSending(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException
                    || t.getClass().getSimpleName().equals("ConnectTimeoutException")) {
                return true;
            }
        }
        return false;
    }

    static FetchError classify(Throwable thrown) {
        Throwable root = thrown;
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof ConnectException && t.getCause() != null) {
                return connectPhase(t.getCause());
            }
            if (t instanceof UnknownHostException unknown) {
                return FetchError.of(ErrorKind.CONNECT, unresolved(unknown));
            }
            ErrorKind kind = kindOf(t);
            if (kind != null) {
                return FetchError.of(kind, describe(kind, t));
            }
            root = t;
        }
        return FetchError.of(ErrorKind.PROTOCOL, describe(ErrorKind.PROTOCOL, root));
    }

    /**
     * A failure while the connection was being made, TLS handshake included: AHC wraps those in
     * a {@code ConnectException}, and so does {@link BlockingEngine} for the JDK's. Until the
     * handshake is done there is no connection to speak of, so a server closing or resetting it
     * then is {@code connect} on every engine (it read {@code reset} on the event loop and
     * {@code connect} on the JDK's for the same server); a timeout stays a timeout.
     */
    private static FetchError connectPhase(Throwable cause) {
        FetchError inner = classify(cause);
        if (inner.kind() == ErrorKind.TIMEOUT || inner.kind() == ErrorKind.CANCELLED
                || inner.kind() == ErrorKind.CONNECT) {
            return inner;
        }
        if (endedDuringHandshake(cause)) {
            return FetchError.of(ErrorKind.CONNECT,
                    "could not connect: " + Wording.HANDSHAKE_ENDED);
        }
        return FetchError.of(ErrorKind.CONNECT, describe(ErrorKind.CONNECT, cause));
    }

    /**
     * Whether Netty's TLS handshake failed because its channel went inactive: a {@code
     * ClosedChannelException} without a message, a handshake exception suppressed in it. The
     * server closed the connection or reset it; Netty fails the handshake the same for both.
     */
    private static boolean endedDuringHandshake(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ClosedChannelException) {
                for (Throwable suppressed : t.getSuppressed()) {
                    if (suppressed instanceof SSLHandshakeException) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Whether the server answered the TLS hello with something not TLS (plain HTTP): Netty's
     * {@code NotSslRecordException}, or the JDK's words for it, which no class of its own
     * carries.
     */
    private static boolean answeredWithoutTls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException && (t.getClass().getSimpleName()
                    .equals("NotSslRecordException")
                    || "Unsupported or unrecognized SSL message".equals(t.getMessage()))) {
                return true;
            }
        }
        return false;
    }

    private static ErrorKind kindOf(Throwable t) {
        String name = t.getClass().getSimpleName();
        String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        if (t instanceof TimeoutException || t instanceof SocketTimeoutException
                || name.equals("ConnectTimeoutException") || name.equals("ReadTimeoutException")
                || name.equals("SslHandshakeTimeoutException")) {
            return ErrorKind.TIMEOUT;
        }
        if (t instanceof CancellationException) {
            return ErrorKind.CANCELLED;
        }
        if (t instanceof OutOfMemoryError) {
            // The client's heap, not the server's HTTP: the body did not fit.
            return ErrorKind.TOO_LARGE;
        }
        if (name.equals("MaxRedirectException") || t instanceof ProtocolException
                || name.equals("TooLongFrameException") || name.equals("DecoderException")) {
            return ErrorKind.PROTOCOL;
        }
        if (t instanceof NoRouteToHostException
                || (t instanceof ConnectException && t.getCause() == null)) {
            return ErrorKind.CONNECT;
        }
        if (t instanceof SSLException) {
            // A handshake's failure, or an alert about it (a TLS 1.3 server's verdict on the
            // client's certificate comes after the client's side is done): no connection
            // was made. Any other, on a connection made (a record that fails its MAC), is
            // that connection's protocol failing, as the event loop has it; one while
            // connecting is made a connect error by connectPhase.
            return t instanceof SSLHandshakeException ? ErrorKind.CONNECT : ErrorKind.PROTOCOL;
        }
        if (message.equals("error writing to server")) {
            // The JDK's, when the request could not be written on a new connection, twice (it
            // tries a second): the server takes no request.
            return ErrorKind.CONNECT;
        }
        // A write's broken pipe (EPIPE) is the same close, met by a request going out.
        if (message.contains("connection reset") || message.contains("broken pipe")
                || message.contains("remotely closed")
                || message.contains("unexpected end of file") || t instanceof EOFException
                || t instanceof ClosedChannelException || name.equals("RemotelyClosedException")
                || name.equals("ChannelClosedException")
                || name.equals("PrematureChannelClosureException")
                || (t instanceof SocketException && message.contains("closed"))) {
            return ErrorKind.RESET;
        }
        if (message.contains("invalid http response") || message.contains("invalid chunk")
                || message.contains("premature eof") || message.contains("bogus chunk")) {
            return ErrorKind.PROTOCOL;
        }
        return null;
    }

    /**
     * What went wrong, from the first exception down {@code t}'s cause chain with a message of
     * its own. A wrapper that copies a missing message makes "null" of it: Netty annotates a
     * connect failure as {@code cause.getMessage() + ": " + address}, and AHC wraps that with
     * its message, so an exception without one read "null: /224.0.0.1:18332". An exception
     * with no message is named by its class.
     */
    private static String messageOf(Throwable t) {
        Throwable described = t;
        while (withoutMessage(described) && described.getCause() != null) {
            described = described.getCause();
        }
        if (!withoutMessage(described)) {
            return described.getMessage();
        }
        if (described instanceof NoRouteToHostException) {
            // Netty's epoll transport throws one without a message for ENETUNREACH and
            // EHOSTUNREACH alike; the JDK says "Network is unreachable" or "No route to host".
            return "Network is unreachable or no route to host";
        }
        // All that is known of it: a cause put in its place would be a guess. The class's
        // name, as it is, is what a user can search for.
        Class<?> type = described.getClass();
        while (type.getSimpleName().isEmpty()) {
            type = type.getSuperclass();  // an anonymous class has no name to show
        }
        return type.getSimpleName() + ", no detail given";
    }

    /**
     * A host that did not resolve, in the same words on every engine. The JDK's resolver,
     * which the event loop's client calls, says "HOST: WHY"; the socket the JDK's engines
     * connect through says "HOST" alone, as it is not told why.
     */
    private static String unresolved(UnknownHostException unknown) {
        if (withoutMessage(unknown)) {
            return "could not resolve the host";
        }
        String message = unknown.getMessage();
        int reason = message.indexOf(": ");
        return "could not resolve host: "
                + clipped(reason < 0 ? message : message.substring(0, reason));
    }

    private static boolean withoutMessage(Throwable t) {
        String message = t.getMessage();
        return message == null || message.equals("null") || message.startsWith("null: ");
    }

    private static final int MAX_MESSAGE_CHARS = 200;
    // What a wrapping exception puts before its cause's message: the cause's class name.
    private static final java.util.regex.Pattern CLASS_PREFIX =
            java.util.regex.Pattern.compile(
                    "^(?:[a-z_]\\w*\\.){2,}[A-Z][\\w$]*(?:Exception|Error): ");

    // What Netty's native transport puts before the OS's words: the call that failed, and
    // from Netty 4.2 the error's number ("finishConnect(..) failed with error(-111): ").
    private static final java.util.regex.Pattern SYSCALL_PREFIX = java.util.regex.Pattern
            .compile("^(?:syscall:)?\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

    private static String describe(ErrorKind kind, Throwable t) {
        String refused = kind == ErrorKind.CONNECT ? RefusedCertificates.of(t) : null;
        if (refused != null) {
            return "could not connect: " + refused;  // not the JDK's "PKIX path building..."
        }
        if (kind == ErrorKind.CONNECT && answeredWithoutTls(t)) {
            return "could not connect: " + Wording.NOT_TLS;
        }
        String message = messageOf(t);
        // A record is for users: "Connection reset by peer", not the client's class names,
        // nor the call Netty made ("finishConnect(..) failed: Connection refused"), which
        // the JDK's engines do not name: the same failure reads the same on every engine.
        java.util.regex.Matcher prefix;
        while ((prefix = CLASS_PREFIX.matcher(message)).find()) {
            message = message.substring(prefix.end());
        }
        message = clipped(SYSCALL_PREFIX.matcher(message).replaceFirst(""));
        String words = Wording.of(kind, message);
        if (words != null) {
            return words;  // the client's words for a server's fault, in bulkfetch's
        }
        return switch (kind) {
            case TIMEOUT -> "timed out: " + message;
            case CONNECT -> "could not connect: " + message;
            case RESET -> "connection closed before the response was complete: " + message;
            case TOO_LARGE -> "the body did not fit in memory (" + message + "): give the JVM "
                    + "more heap (BULKFETCH_JAVA_OPTS=-Xmx2g) or lower --max-body";
            default -> message;
        };
    }

    /**
     * {@code message}, cut short at {@link #MAX_MESSAGE_CHARS}: Netty puts the bytes it could
     * not read in some messages (plain HTTP on a TLS port gave a record 1 KiB of hex).
     */
    private static String clipped(String message) {
        if (message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        int end = Character.isHighSurrogate(message.charAt(MAX_MESSAGE_CHARS - 1))
                ? MAX_MESSAGE_CHARS - 1 : MAX_MESSAGE_CHARS;
        return message.substring(0, end) + "...";
    }
}
