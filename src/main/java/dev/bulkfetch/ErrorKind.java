package dev.bulkfetch;

import java.util.Locale;

/**
 * Why an item did not end in a 2xx response. Written lower-case in records
 * ({@code "too_large"}).
 */
public enum ErrorKind {
    /** The input line could not become a request; nothing was sent. */
    INPUT,
    /** The connect, idle-read or whole-request timeout ran out. */
    TIMEOUT,
    /**
     * No connection could be made: refused, an unresolvable host, or a TLS handshake that
     * failed or that the server cut off.
     */
    CONNECT,
    /**
     * The server closed or reset the connection before any byte of the response (one that
     * stops in the middle is {@link #PROTOCOL}).
     */
    RESET,
    /**
     * The server's answer was not valid HTTP or stopped in the middle (a body shorter than its
     * {@code Content-Length} among them).
     */
    PROTOCOL,
    /** The response body was larger than the configured maximum. */
    TOO_LARGE,
    /**
     * A complete response with a status other than 2xx or 429, a redirect not followed among
     * them (beyond the redirect limit, its message says so).
     */
    HTTP,
    /** The server answered 429 Too Many Requests. */
    RATE_LIMITED,
    /**
     * A 2xx body that the library's {@link BodyHandler} could not take (JSON that did not
     * parse).
     */
    BODY,
    /** The run stopped before the item finished. */
    CANCELLED;

    /** The name as records write it. */
    public String wireName() {
        return wireName;
    }

    // Made once: records write it for every failed item.
    private final String wireName = name().toLowerCase(Locale.ROOT);
}
