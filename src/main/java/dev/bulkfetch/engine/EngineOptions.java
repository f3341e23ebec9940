package dev.bulkfetch.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * What every engine honours the same way. Immutable; validated where it is built (the
 * library's config builder), so engines can trust it.
 *
 * @param concurrency requests the caller may have in flight at once; connection pools and thread
 *     pools are sized to it, admission itself is the caller's
 * @param connectTimeout longest wait for a connection
 * @param requestTimeout longest time for a whole request, send to last byte
 * @param idleTimeout longest silence while reading the response
 * @param maxBodyBytes a larger response body ends the item as {@code too_large}
 * @param maxRedirects redirects followed before the item ends as a {@code protocol} error
 * @param keepBody hand the body over in the {@link Outcome} (at most {@code maxBodyBytes});
 *     otherwise it is only counted
 * @param insecure accept any TLS certificate and host name (off by default)
 */
public record EngineOptions(int concurrency, Duration connectTimeout, Duration requestTimeout,
                            Duration idleTimeout, long maxBodyBytes, int maxRedirects,
                            boolean keepBody, boolean insecure) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
    public static final int DEFAULT_MAX_REDIRECTS = 5;

    public EngineOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (keepBody && maxBodyBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("max body too large to keep: " + maxBodyBytes);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency < 1: " + concurrency);
        }
    }

    /** The defaults, at {@code concurrency}. */
    public static EngineOptions defaults(int concurrency) {
        return new EngineOptions(concurrency, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_REDIRECTS, false, false);
    }
}
