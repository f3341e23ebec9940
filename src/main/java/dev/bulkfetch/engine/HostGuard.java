package dev.bulkfetch.engine;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.input.PrivateHosts;
import java.net.URI;

/**
 * {@code --deny-private} where the engines send: every exchange's host, a redirect's included,
 * is checked before it goes out. The input layer checks only the items' own URLs, so a public
 * URL that redirected to 169.254.169.254 or 127.0.0.1 was followed there. A request refused
 * before it was sent is an {@code input} error; a redirect refused after the first hop was sent
 * is a {@code protocol} error counting that send, as a redirect to an {@code ftp:} URL is.
 */
final class HostGuard {

    /** A redirect refused by {@code --deny-private}: the item's {@code protocol} error. */
    static final class Denied extends java.net.ProtocolException {
        Denied(String message) {
            super(message);
        }
    }

    private static final HostGuard OPEN = new HostGuard(null);

    // Null when private hosts are allowed.
    private final PrivateHosts hosts;

    private HostGuard(PrivateHosts hosts) {
        this.hosts = hosts;
    }

    static HostGuard of(EngineOptions options) {
        return options.denyPrivate() ? new HostGuard(new PrivateHosts()) : OPEN;
    }

    /** The outcome of {@code request} when its host is refused, or null to send it. */
    Outcome refused(FetchRequest request) {
        String refusal = hosts == null ? null : hosts.refusal(request.host());
        return refusal == null ? null
                : Outcome.failure(FetchError.of(ErrorKind.INPUT, refusal), 0, 0);
    }

    /** Refuses a redirect to {@code to} when its host is refused. */
    void checkRedirect(URI to) throws Denied {
        String refusal = hosts == null ? null : hosts.refusal(to.getHost());
        if (refusal != null) {
            throw new Denied("redirect refused: " + refusal + ": " + to);
        }
    }
}
