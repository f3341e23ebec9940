package dev.bulkfetch;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a run fetches: which engine, how many requests in flight, timeouts and limits. Immutable;
 * made by {@link #builder()}, whose setters reject a bad value at once and quote it.
 */
public final class FetchConfig {

    /** Requests in flight at most, unless set. */
    public static final int DEFAULT_CONCURRENCY = 32;
    /** Beyond this the bookkeeping, not the network, would be the limit. */
    public static final int MAX_CONCURRENCY = 100_000;

    /** Longest wait for a connection, unless set. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The longest timeout or backoff: longer ones mean no limit, and overflowed the blocking
     * engines' arithmetic in nanoseconds (every item failed).
     */
    public static final Duration MAX_DURATION = Duration.ofDays(1);
    /** Longest time for a whole request, unless set. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Longest silence while reading a response, unless set. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);
    /** The largest body, 10 MiB, unless set. */
    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
    /** Redirects followed, unless set. */
    public static final int DEFAULT_MAX_REDIRECTS = 5;

    private final EngineKind engine;
    private final boolean ordered;
    private final int concurrency;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private final long maxBodyBytes;
    private final int maxRedirects;
    private final boolean insecure;
    private final boolean denyPrivate;
    private final List<X509Certificate> trustedCertificates;
    private final BodyHandler<?> bodyHandler;
    private final Rate rate;
    private final int perHost;
    private final Rate ratePerHost;
    private final RetryPolicy retries;

    private FetchConfig(Builder b) {
        this.engine = b.engine;
        this.ordered = b.ordered;
        this.rate = b.rate;
        this.perHost = b.perHost;
        this.ratePerHost = b.ratePerHost;
        this.retries = b.retries;
        this.concurrency = b.engine == EngineKind.SERIAL ? 1 : b.concurrency;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.idleTimeout = b.idleTimeout;
        this.maxBodyBytes = b.maxBodyBytes;
        this.maxRedirects = b.maxRedirects;
        this.insecure = b.insecure;
        this.denyPrivate = b.denyPrivate;
        this.trustedCertificates = b.trustedCertificates;
        if (b.insecure && !b.trustedCertificates.isEmpty()) {
            throw new IllegalArgumentException("insecure and trustedCertificates contradict: "
                    + "insecure accepts any certificate");
        }
        if (b.engine == EngineKind.SERIAL && b.concurrencySet && b.concurrency != 1) {
            throw new IllegalArgumentException("concurrency " + b.concurrency + " and the "
                    + "serial engine contradict: it sends one request at a time (leave the "
                    + "concurrency unset, or set it to 1)");
        }
        this.bodyHandler = b.bodyHandler;
    }

    /** A builder at the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The engine that sends the requests. */
    public EngineKind engine() {
        return engine;
    }

    /** Requests in flight at most; always 1 for the serial engine. */
    public int concurrency() {
        return concurrency;
    }

    /** Longest wait for a connection. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Longest time for a whole request, send to last byte. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Longest silence while reading a response. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** A larger response body ends the item as {@code too_large}. */
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /**
     * Redirects followed; beyond them the item ends with the 3xx not followed, an {@code http}
     * error that says so.
     */
    public int maxRedirects() {
        return maxRedirects;
    }

    /** True when any TLS certificate and host name is accepted. */
    public boolean insecure() {
        return insecure;
    }

    /** True when hosts that resolve to a loopback, private or link-local address are refused. */
    public boolean denyPrivate() {
        return denyPrivate;
    }

    /**
     * The certificates trusted in place of the JDK's certificate authorities; empty (the
     * default) for those.
     */
    public List<X509Certificate> trustedCertificates() {
        return trustedCertificates;
    }

    /**
     * What sees each body as it streams; {@code null} when bodies are only counted, or saved
     * or included, which a run does itself.
     */
    public BodyHandler<?> bodyHandler() {
        return bodyHandler;
    }

    /** True when records are written in input order rather than as they finish. */
    public boolean ordered() {
        return ordered;
    }

    /** Requests started per period at most, from the whole run; {@code null} for no limit. */
    public Rate rate() {
        return rate;
    }

    /** Requests in flight to one host at most; 0 for no per-host cap. */
    public int perHost() {
        return perHost;
    }

    /** Requests started per period to one host at most; {@code null} for no limit. */
    public Rate ratePerHost() {
        return ratePerHost;
    }

    /** Which failed attempts go again, and when. */
    public RetryPolicy retries() {
        return retries;
    }

    /** Builds a {@link FetchConfig}; each setter validates its value. */
    public static final class Builder {
        private EngineKind engine = EngineKind.EVENT_LOOP;
        private int concurrency = DEFAULT_CONCURRENCY;
        // Set by concurrency() alone: the default, or a base's, is no choice to refuse.
        private boolean concurrencySet;
        private boolean ordered;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxRedirects = DEFAULT_MAX_REDIRECTS;
        private BodyHandler<?> bodyHandler;
        private Rate rate;
        private int perHost;
        private Rate ratePerHost;
        private RetryPolicy retries = RetryPolicy.defaults();
        private boolean insecure;
        private boolean denyPrivate;
        private List<X509Certificate> trustedCertificates = List.of();

        private Builder() {
        }

        /** Starts from {@code base}: every setting copied, to be changed one by one. */
        public Builder from(FetchConfig base) {
            Objects.requireNonNull(base, "base");
            this.engine = base.engine;
            this.ordered = base.ordered;
            this.concurrency = base.concurrency;
            // The base's concurrency is one it was built with, not a choice made here.
            this.concurrencySet = false;
            this.connectTimeout = base.connectTimeout;
            this.requestTimeout = base.requestTimeout;
            this.idleTimeout = base.idleTimeout;
            this.maxBodyBytes = base.maxBodyBytes;
            this.maxRedirects = base.maxRedirects;
            this.rate = base.rate;
            this.perHost = base.perHost;
            this.ratePerHost = base.ratePerHost;
            this.retries = base.retries;
            this.insecure = base.insecure;
            this.denyPrivate = base.denyPrivate;
            this.trustedCertificates = base.trustedCertificates;
            this.bodyHandler = base.bodyHandler;
            return this;
        }

        /**
         * What sees each body as it streams ({@link BodyHandlers}); {@code null}, the default
         * here, only counts bodies.
         */
        public Builder bodyHandler(BodyHandler<?> handler) {
            this.bodyHandler = handler;
            return this;
        }

        /** Accepts any TLS certificate and host name. Off by default, and it should stay so. */
        public Builder insecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /**
         * Trusts the certificates of the PEM file {@code pem} in place of the JDK's
         * certificate authorities, as curl's {@code --cacert} does: for servers whose
         * certificates a private CA signs. Host names are still verified. Null, the default,
         * trusts the JDK's.
         *
         * @throws IllegalArgumentException naming the file, when it cannot be read or holds no
         *     certificate
         */
        public Builder trustedCertificates(java.nio.file.Path pem) {
            this.trustedCertificates = pem == null ? List.of()
                    : PemCertificates.read(pem);
            return this;
        }

        /**
         * Refuses a request to a host that resolves to a loopback, private or link-local
         * address (cloud metadata lives there), as the item's {@code input} error, and a
         * redirect to one, as its {@code protocol} error: for jobs fed URLs they do not trust.
         * Off by default.
         */
        public Builder denyPrivate(boolean deny) {
            this.denyPrivate = deny;
            return this;
        }

        /** At most {@code rate} requests start per period, retries included; null for none. */
        public Builder rate(Rate rate) {
            this.rate = rate;
            return this;
        }

        /**
         * At most {@code max} requests in flight to one host (its name, whatever the scheme or
         * port); 0 for none.
         */
        public Builder perHost(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("per-host cap must be 0 (no cap) or more: "
                        + max);
            }
            this.perHost = max;
            return this;
        }

        /** At most {@code rate} requests start per period to one host; null for none. */
        public Builder ratePerHost(Rate rate) {
            this.ratePerHost = rate;
            return this;
        }

        /** Which failures go again, how often, and with what backoff. */
        public Builder retries(RetryPolicy retries) {
            this.retries = Objects.requireNonNull(retries, "retries");
            return this;
        }

        /** The engine that sends the requests. */
        public Builder engine(EngineKind engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * Requests in flight at most, 1 to {@value FetchConfig#MAX_CONCURRENCY}. The serial
         * engine sends one at a time: {@link #build()} refuses another number beside it, set
         * here (unset, it is 1 for that engine).
         */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
                throw new IllegalArgumentException("concurrency must be 1 to " + MAX_CONCURRENCY
                        + ": " + concurrency);
            }
            this.concurrency = concurrency;
            this.concurrencySet = true;
            return this;
        }

        /** Results in input order instead of as they finish. */
        public Builder ordered(boolean ordered) {
            this.ordered = ordered;
            return this;
        }

        /** Longest wait for a connection; positive, at most {@link #MAX_DURATION}. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connect timeout", timeout);
            return this;
        }

        /** Longest time for a whole request, send to last byte; positive, at most a day. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("request timeout", timeout);
            return this;
        }

        /** Longest silence while reading a response; positive, at most a day. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive("idle timeout", timeout);
            return this;
        }

        /** A larger body ends the item as {@code too_large}, unbuffered; zero or more. */
        public Builder maxBodyBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("max body < 0: " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /** Redirects followed, 0 (none) to 100. */
        public Builder maxRedirects(int redirects) {
            if (redirects < 0 || redirects > 100) {
                throw new IllegalArgumentException("max redirects must be 0 to 100: " + redirects);
            }
            this.maxRedirects = redirects;
            return this;
        }

        /**
         * The immutable configuration; builders may go on being changed and reused.
         *
         * @throws IllegalArgumentException when settings contradict: insecure beside trusted
         *     certificates, or a concurrency other than 1 set beside the serial engine
         */
        public FetchConfig build() {
            return new FetchConfig(this);
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero() || d.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException(what + " must be positive and at most 1 day: "
                        + d);
            }
            return d;
        }
    }
}
