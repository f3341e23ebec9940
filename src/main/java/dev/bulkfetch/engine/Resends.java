package dev.bulkfetch.engine;

import dev.bulkfetch.FetchRequest;

/**
 * When a request lost with its keep-alive connection goes again, the same on every engine.
 * A server may close an idle connection just as a request goes out on it (its keep-alive
 * timeout ran out), and the request is never answered. RFC 9112 (9.3.1) lets a client send an
 * idempotent request again on a new connection then, and clients do: the JDK's
 * {@code HttpURLConnection} on its own, for any method with no body to stream (POST too,
 * unless {@code sun.net.http.retryPost} is false, as {@link JdkHttpSettings} sets it), while
 * AHC, its own retries off here, ended the item as a {@code reset}. Now: a request with an
 * idempotent method and no body (or an empty one) goes again, on a new connection (the event
 * loop tries each further kept-alive one the pool offers first, as those may be closing too),
 * not counted as an attempt (it was never answered); a POST never does, since the server may
 * have acted on it: its item ends as a {@code reset}, for the retry policy (which counts
 * attempts) to decide.
 */
final class Resends {

    private Resends() {
    }

    /** Whether {@code request} may go again when its connection closed unanswered. */
    static boolean allowed(FetchRequest request) {
        // An empty body is none: the blocking engines send it as a length of 0, with no bytes
        // to stream, and the JDK then resends it as it resends a request without one.
        return (request.body() == null || request.body().length == 0) && request.idempotent();
    }
}
