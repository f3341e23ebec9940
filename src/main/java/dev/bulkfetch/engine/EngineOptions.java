package dev.bulkfetch.engine;

import dev.bulkfetch.BodyHandler;
import dev.bulkfetch.FetchConfig;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
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
 * @param maxRedirects redirects followed; the next one is not, its 3xx an {@code http} error
 * @param bodyHandler sees each body as it streams and makes the {@link Outcome}'s body of it;
 *     {@code null} to only count bodies
 * @param insecure accept any TLS certificate and host name (off by default)
 * @param denyPrivate refuse a request or redirect to a loopback, private or link-local host
 * @param trustedCertificates trusted in place of the JDK's certificate authorities; empty for
 *     those
 */
public record EngineOptions(int concurrency, Duration connectTimeout, Duration requestTimeout,
                            Duration idleTimeout, long maxBodyBytes, int maxRedirects,
                            BodyHandler<?> bodyHandler, boolean insecure, boolean denyPrivate,
                            List<X509Certificate> trustedCertificates) {

    public EngineOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        trustedCertificates = List.copyOf(trustedCertificates);
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency < 1: " + concurrency);
        }
    }

    /** As the canonical constructor, trusting the JDK's certificate authorities. */
    public EngineOptions(int concurrency, Duration connectTimeout, Duration requestTimeout,
                         Duration idleTimeout, long maxBodyBytes, int maxRedirects,
                         BodyHandler<?> bodyHandler, boolean insecure, boolean denyPrivate) {
        this(concurrency, connectTimeout, requestTimeout, idleTimeout, maxBodyBytes,
                maxRedirects, bodyHandler, insecure, denyPrivate, List.of());
    }

    /** As the canonical constructor, with private hosts allowed. */
    public EngineOptions(int concurrency, Duration connectTimeout, Duration requestTimeout,
                         Duration idleTimeout, long maxBodyBytes, int maxRedirects,
                         BodyHandler<?> bodyHandler, boolean insecure) {
        this(concurrency, connectTimeout, requestTimeout, idleTimeout, maxBodyBytes,
                maxRedirects, bodyHandler, insecure, false);
    }

    /** What {@code config} asks of an engine. */
    public static EngineOptions of(FetchConfig config) {
        return new EngineOptions(config.concurrency(), config.connectTimeout(),
                config.requestTimeout(), config.idleTimeout(), config.maxBodyBytes(),
                config.maxRedirects(), config.bodyHandler(), config.insecure(),
                config.denyPrivate(), config.trustedCertificates());
    }

    /** These options with {@code handler} seeing the bodies. */
    public EngineOptions withBodyHandler(BodyHandler<?> handler) {
        return new EngineOptions(concurrency, connectTimeout, requestTimeout, idleTimeout,
                maxBodyBytes, maxRedirects, handler, insecure, denyPrivate, trustedCertificates);
    }

    /** The defaults, at {@code concurrency}. */
    static EngineOptions defaults(int concurrency) {
        return of(FetchConfig.builder().concurrency(concurrency).build());
    }
}
