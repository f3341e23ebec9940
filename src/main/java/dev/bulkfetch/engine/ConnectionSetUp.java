package dev.bulkfetch.engine;

import dev.bulkfetch.FetchRequest;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ResponseCache;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * Readies the JDK's connection for one request, before it connects: what the JDK would do
 * on its own that the engine does itself or not at all, the TLS trust, the timeouts, the
 * method, the headers, and how the body goes. Kept apart from {@link ExchangeRequests},
 * which keeps what depends on the exchange (its deadline, its slot of the idle cap, the
 * connect) and calls these in the order they are declared, the order the headers then go
 * out in. Stateless: each method sets up only the connection it is given, on the exchange's
 * thread.
 */
final class ConnectionSetUp {

    /** Methods whose request carries a length even with no body (RFC 9110, 8.6). */
    private static final Set<String> SENDS_LENGTH = Set.of("POST", "PUT");

    /**
     * Gives the JDK no credentials to answer a challenge with: as on the event loop, a 401 or
     * 407 is the item's answer. A host's default Authenticator was asked, and its credentials
     * sent again to each 401, 20 requests for one item. (The JDK keeps a cache of credentials
     * per Authenticator: none that a host's own requests cached go ahead of ours either.)
     */
    private static final java.net.Authenticator NO_CREDENTIALS = new java.net.Authenticator() {
    };

    private ConnectionSetUp() {
    }

    /**
     * Turns off the JDK's redirects (the exchange follows them itself) and any response cache
     * a host installed, and sets the TLS {@code sockets}, which carry the trust (see
     * BlockingEngine), and for {@code insecure} any host name.
     */
    static void prepare(HttpURLConnection conn, boolean insecure, SSLSocketFactory sockets) {
        conn.setInstanceFollowRedirects(false);
        conn.setAuthenticator(NO_CREDENTIALS);
        if (conn instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(sockets);
            if (insecure) {
                Insecure.apply(https);
            }
        }
        // The JDK asks a cache only when a host installed one (ResponseCache.setDefault) and
        // useCaches is true; with useCaches false it adds Cache-Control: no-cache and Pragma:
        // no-cache to every request, which the event loop does not send. So it is false only
        // where there is a cache to keep out (every answer must come from the server: the
        // headers are the price, as the README says), and true otherwise, whatever a host made
        // the default (URLConnection.setDefaultUseCaches), since there is nothing to cache in.
        conn.setUseCaches(ResponseCache.getDefault() == null);
    }

    /** Sets the connect and read timeouts for a request with {@code leftNanos} (> 0) left. */
    static void timeouts(HttpURLConnection conn, EngineOptions options, long leftNanos) {
        // No more than the request has left: the watchdog cannot end a connect under way
        // (the JDK's connection has no socket to close until it is made), so a connect
        // timeout longer than --timeout overran it. A millisecond over, as the read's below:
        // cut to whole milliseconds, a connect ended just before the deadline, which the
        // exchange then did not see, and it read "could not connect within 5000 ms" after
        // --timeout's 300 (from review).
        conn.setConnectTimeout(millis(Duration.ofNanos(
                Math.min(options.connectTimeout().toNanos(), leftNanos + 1_000_000))));
        // No longer than the request has left either: any read then ends past the deadline
        // at the latest, which a platform thread stalled in a body has no other way to see.
        conn.setReadTimeout(millis(Duration.ofNanos(
                Math.min(options.idleTimeout().toNanos(), leftNanos + 1_000_000))));
    }

    /**
     * Sets the request's method, bulkfetch's User-Agent and the request's headers. Throws
     * {@link DroppedHeader} for a header the JDK would not send.
     */
    static void headers(HttpURLConnection conn, FetchRequest request) throws IOException {
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
    }

    /**
     * Sets how the request's body goes, and returns the bytes to write once connected: null
     * for none.
     */
    static byte[] body(HttpURLConnection conn, FetchRequest request) {
        // A POST or PUT without a body is sent with a length of 0, as the event loop sends
        // it: without one, servers that want a length (IIS, Google's) answer 411. So is an
        // empty body, of any method, as the event loop sends it too. As a header, not by
        // streaming no bytes: streaming adds a form Content-Type (to all but a PUT), loses a
        // 401's body, and turns off the JDK's resend on a stale connection (Resends).
        byte[] body = request.body();
        if (body == null ? SENDS_LENGTH.contains(request.method()) : body.length == 0) {
            conn.setRequestProperty("Content-Length", "0");
            // No bytes to write. Where this JVM refuses restricted headers (the length was not
            // set), a POST or PUT streams none instead, for its length; any other method goes
            // without a body: given output, the JDK sends a GET as a POST, refuses a TRACE, and
            // adds a form Content-Type to the rest.
            body = conn.getRequestProperty("Content-Length") == null
                    && SENDS_LENGTH.contains(request.method()) ? new byte[0] : null;
        }
        if (body != null) {
            conn.setDoOutput(true);
            conn.setFixedLengthStreamingMode(body.length);
        }
        return body;
    }

    /** A header the JDK's client would leave out of the request without a word. */
    static final class DroppedHeader extends IOException {
        DroppedHeader(String name) {
            super("the JDK's HttpURLConnection in this JVM drops the header \"" + name
                    + "\" (sun.net.http.allowRestrictedHeaders was read as false before "
                    + "bulkfetch could set it); the event-loop engine sends it");
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }
}
