package dev.bulkfetch.engine;

import dev.bulkfetch.FetchError;
import java.net.URI;

/**
 * What one send of one request came to: a complete response (any status), or a classified
 * transport error. Engines never complete exceptionally; they complete with one of these.
 *
 * @param status the HTTP status, or {@code null} when no response came: a failure after the
 *     status line and headers were read (a body cut, stalled or too large) keeps it
 * @param bytes body bytes received
 * @param latencyNanos send to last byte (or to the failure)
 * @param error the transport error, or {@code null} when a whole response came
 * @param retryAfter the response's {@code Retry-After} header, or {@code null}
 * @param body what the {@link dev.bulkfetch.BodyHandler} made of the body, or {@code null}
 * @param finalUrl when this came after a redirect, the URL the chain's last request went to,
 *     as sent (without user info or a fragment), or was refused at: a redirect not followed
 *     leaves it at the URL that answered with it; {@code null} when no redirect was taken up
 *     (none came, or the max redirects is 0). Its being set says the request as sent first
 *     was answered (and may have been acted on), whatever became of the redirect's
 * @param unsent whether the failure came before the request could be written: no connection
 *     was made (a connect timeout among them), so the server cannot have acted on it
 * @param permanent whether every attempt would end the same way (the server's certificate was
 *     refused), so none goes again whatever the retry policy says
 * @param tls whether this {@code connect} error came in the TLS handshake (a certificate
 *     refused, a server not speaking TLS, a handshake cut off): the server was reached, which
 *     the error's message, the client's own words, cannot tell a run's end
 */
public record Outcome(Integer status, long bytes, long latencyNanos, FetchError error,
                      String retryAfter, Object body, URI finalUrl, boolean unsent,
                      boolean permanent, boolean tls) {

    public Outcome(Integer status, long bytes, long latencyNanos, FetchError error,
                   String retryAfter, Object body) {
        this(status, bytes, latencyNanos, error, retryAfter, body, null, false, false, false);
    }

    /** Whether this came after a redirect: the request as sent first was answered. */
    public boolean redirected() {
        return finalUrl != null;
    }

    /**
     * Where the answer came from when that was not {@code asked} as sent (its user info and
     * fragment aside): the final URL of a redirect followed; null when none was, or when the
     * first was not followed, whose URL is the one asked. For the result, which names a URL
     * only where it tells something.
     */
    public URI answeredElsewhere(URI asked) {
        return finalUrl == null || finalUrl.equals(SentUrls.of(asked)) ? null : finalUrl;
    }

    /**
     * Whether the TLS handshake refused the server's certificate (untrusted, expired, another
     * host's): the one TLS failure every attempt would repeat, which the CLI's trust options
     * can mend.
     */
    public boolean certificateRefused() {
        return tls && permanent;
    }

    /**
     * This outcome, as reached after a redirect, at {@code url}: the first request was
     * answered. One already marked keeps its URL, a later request's in the chain.
     */
    Outcome afterRedirect(URI url) {
        return finalUrl != null ? this : new Outcome(status, bytes, latencyNanos, error,
                retryAfter, body, java.util.Objects.requireNonNull(url, "url"), false,
                permanent, tls);
    }

    /**
     * A failure before the request was written: no connection was made; {@code permanent}
     * when another attempt would fail the same way.
     */
    static Outcome failureBeforeSending(FetchError error, long latencyNanos, boolean permanent) {
        return new Outcome(null, 0, latencyNanos, error, null, null, null, true, permanent,
                false);
    }

    /** This failure, as one in the TLS handshake. */
    Outcome inTlsHandshake() {
        return new Outcome(status, bytes, latencyNanos, error, retryAfter, body, finalUrl,
                unsent, permanent, true);
    }

    static Outcome response(int status, long bytes, long latencyNanos, String retryAfter,
                            Object body) {
        return new Outcome(status, bytes, latencyNanos, null, retryAfter, body);
    }

    public static Outcome failure(FetchError error, long bytes, long latencyNanos) {
        return new Outcome(null, bytes, latencyNanos, error, null, null);
    }

    /**
     * This failure, met after the server answered {@code status} (its body timed out, was cut
     * or reset): the record keeps the status, as the server did give one, and the retry its
     * {@code retryAfter} (null: none), which a 429 or a 503 asks for whatever its body does.
     */
    Outcome withStatus(int status, String retryAfter) {
        return new Outcome(status, bytes, latencyNanos, error, retryAfter, body, finalUrl,
                unsent, permanent, tls);
    }

    /**
     * A failure after the server answered {@code status} (a body over the limit): the record
     * keeps the status, as the server did give one.
     */
    static Outcome answeredWith(int status, FetchError error, long bytes, long latencyNanos) {
        return new Outcome(status, bytes, latencyNanos, error, null, null);
    }
}
