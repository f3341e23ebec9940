package dev.bulkfetch;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleSupplier;

/**
 * Which failed attempts go again, and when: exponential backoff with full jitter (a random wait
 * between zero and {@code min(cap, base x 2^(retry-1))}, so retries of many items spread out
 * instead of arriving together), and never sooner than the server's {@code Retry-After}.
 * Immutable; the random source is injected so tests need no luck.
 *
 * @param maxRetries retries after the first attempt
 * @param base the first backoff's upper bound
 * @param cap the largest backoff
 * @param kinds error kinds that are retried (transport errors)
 * @param statuses HTTP statuses that are retried
 * @param unsafeMethods whether a request that is not {@linkplain FetchRequest#idempotent()
 *     idempotent} (a POST, a PATCH) is retried for everything above too; when false (the
 *     default) it goes again only when the server cannot have acted on it: a {@code connect}
 *     error (nothing was sent), or a 429 or 503 (the server refused it)
 */
public record RetryPolicy(int maxRetries, Duration base, Duration cap, Set<ErrorKind> kinds,
                          Set<Integer> statuses, boolean unsafeMethods) {

    /**
     * Connect errors, resets and timeouts: the transient failures, retried as such also when a
     * status came before them (a body cut after its 200).
     */
    public static final Set<ErrorKind> DEFAULT_KINDS = EnumSet.of(ErrorKind.CONNECT,
            ErrorKind.RESET, ErrorKind.TIMEOUT);
    // What a failed exchange can be retried for; the rest are statuses (HTTP, RATE_LIMITED),
    // the caller's (INPUT, BODY) or the end of the run (CANCELLED).
    private static final Set<ErrorKind> RETRYABLE_KINDS = EnumSet.of(ErrorKind.TIMEOUT,
            ErrorKind.CONNECT, ErrorKind.RESET, ErrorKind.PROTOCOL);
    /** The statuses retried by default: 429, 502, 503 and 504. */
    public static final Set<Integer> DEFAULT_STATUSES = Set.of(429, 502, 503, 504);
    /** No retries: every request is sent once. */
    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ofMillis(200),
            Duration.ofSeconds(30), DEFAULT_KINDS, DEFAULT_STATUSES);
    // What a request that is not idempotent is retried for by default: what the server cannot
    // have acted on.
    private static final Set<ErrorKind> UNSENT_KINDS = EnumSet.of(ErrorKind.CONNECT);
    private static final Set<Integer> REFUSED_STATUSES = Set.of(429, 503);

    /**
     * Checks the limits (0 to 100 retries, 0 &lt; base &lt;= cap; kinds among timeout,
     * connect, reset and protocol; statuses from 300 to 599, as {@code --retry-on} has them)
     * and copies the sets.
     */
    public RetryPolicy {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(cap, "cap");
        Objects.requireNonNull(kinds, "kinds");
        Objects.requireNonNull(statuses, "statuses");
        for (ErrorKind kind : kinds) {
            Objects.requireNonNull(kind, "a kind in kinds");
            if (!RETRYABLE_KINDS.contains(kind)) {
                throw new IllegalArgumentException("kind " + kind + " is not retryable: "
                        + "only TIMEOUT, CONNECT, RESET and PROTOCOL are failures of the exchange "
                        + "(for an HTTP status, name the status)");
            }
        }
        for (Integer status : statuses) {
            Objects.requireNonNull(status, "a status in statuses");
            if (status < 300 || status > 599) {
                throw new IllegalArgumentException("status " + status + " is not retryable: "
                        + "only statuses 300 to 599 end an item as not ok");
            }
        }
        if (maxRetries < 0 || maxRetries > 100) {
            throw new IllegalArgumentException("retries must be 0 to 100: " + maxRetries);
        }
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0
                || cap.compareTo(FetchConfig.MAX_DURATION) > 0) {
            throw new IllegalArgumentException("backoff must be MIN..MAX with 0 < MIN <= MAX <= "
                    + "1 day: " + base + ".." + cap);
        }
        kinds = kinds.isEmpty() ? Set.of() : EnumSet.copyOf(kinds);
        statuses = Set.copyOf(statuses);
    }

    /** A policy that retries a POST or PATCH only when the server cannot have acted on it. */
    public RetryPolicy(int maxRetries, Duration base, Duration cap, Set<ErrorKind> kinds,
                       Set<Integer> statuses) {
        this(maxRetries, base, cap, kinds, statuses, false);
    }

    /**
     * This policy, retrying requests that are not idempotent for all it retries (or not): for
     * an API that makes a repeated POST harmless, with an idempotency key for instance.
     */
    public RetryPolicy withUnsafeMethods(boolean retryThem) {
        return new RetryPolicy(maxRetries, base, cap, kinds, statuses, retryThem);
    }

    /** The default: 2 retries, backoff 200ms..30s, on the default set. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(30), DEFAULT_KINDS,
                DEFAULT_STATUSES);
    }

    /**
     * This policy retrying what {@code list} names and nothing else: the list replaces what is
     * retried, it does not add to it ({@code defaults().withRetryOn("5xx")} retries no connect
     * error or timeout: {@code "connect,reset,timeout,429,5xx"} keeps them). The list is a
     * {@code --retry-on} list: error kinds ({@code timeout}, {@code connect},
     * {@code reset}, {@code protocol}) and statuses ({@code 503}, or {@code 5xx}). An empty
     * list, or an empty entry ({@code 5xx,}), is refused: neither says what to retry, and
     * taking them as nothing would change what is retried unseen (0 retries retry nothing).
     */
    public RetryPolicy withRetryOn(String list) {
        Objects.requireNonNull(list, "list");
        if (list.isBlank()) {
            throw new IllegalArgumentException("'" + list + "' names nothing to retry: list "
                    + "what to retry, such as connect,5xx (for none, set the retries to 0)");
        }
        Set<ErrorKind> newKinds = EnumSet.noneOf(ErrorKind.class);
        Set<Integer> newStatuses = new TreeSet<>();
        for (String item : list.split(",", -1)) {
            String word = item.trim().toLowerCase(Locale.ROOT);
            if (word.isEmpty()) {
                throw new IllegalArgumentException("'" + list + "' has an empty entry: a "
                        + "comma too many, or a word left out");
            }
            if (word.matches("[3-5]xx")) {
                int hundred = (word.charAt(0) - '0') * 100;
                for (int s = hundred; s < hundred + 100; s++) {
                    newStatuses.add(s);
                }
            } else if (word.matches("[3-5]\\d\\d")) {
                newStatuses.add(Integer.parseInt(word));
            } else if (word.matches("[0-9]\\d\\d|[0-9]xx")) {
                // A 2xx is the success a retry would seek, and a 1xx never ends an exchange:
                // retrying on one would only repeat requests that worked.
                throw new IllegalArgumentException("'" + item.trim() + "' is not retryable: "
                        + "only statuses 300 to 599 (or 3xx, 4xx, 5xx) end an item as not ok");
            } else {
                ErrorKind kind = switch (word) {
                    case "timeout" -> ErrorKind.TIMEOUT;
                    case "connect" -> ErrorKind.CONNECT;
                    case "reset" -> ErrorKind.RESET;
                    case "protocol" -> ErrorKind.PROTOCOL;
                    default -> throw new IllegalArgumentException("'" + item.trim()
                            + "' is not retryable: name timeout, connect, reset, protocol, "
                            + "a status like 503 or a class like 5xx");
                };
                newKinds.add(kind);
            }
        }
        return new RetryPolicy(maxRetries, base, cap, newKinds, newStatuses, unsafeMethods);
    }

    /**
     * True when an attempt of an idempotent request that ended this way may go again: for its
     * error's kind, or for its status, which a body cut after it does not take back (a 503
     * whose body was reset is retried as a 503 is, a 200 cut short only for the cut).
     */
    public boolean retries(Integer status, ErrorKind transportError) {
        return retriedKind(transportError) || retriedStatus(status);
    }

    private boolean retriedKind(ErrorKind transportError) {
        return transportError != null && kinds.contains(transportError);
    }

    private boolean retriedStatus(Integer status) {
        return status != null && statuses.contains(status);
    }

    /**
     * True when an attempt of {@code request} that ended this way may go again. A timeout or a
     * reset after a POST's body went out leaves the server's side unknown, and a backfill that
     * creates records would create them twice: such a request goes again only when the server
     * cannot have acted on it, unless {@link #unsafeMethods()}. One that was {@code
     * redirected} was answered, so acted on, whatever became of the redirect's request.
     */
    public boolean retries(FetchRequest request, boolean redirected, Integer status,
                           ErrorKind transportError) {
        return retries(request, redirected, false, status, transportError);
    }

    /**
     * As above, knowing whether the attempt was {@code unsent}: it failed before the request
     * was written (no connection was made), as after a connect timeout, which reads
     * {@code timeout} but left nothing for the server to act on.
     */
    public boolean retries(FetchRequest request, boolean redirected, boolean unsent,
                           Integer status, ErrorKind transportError) {
        if (unsafeMethods || request.idempotent()) {
            return retries(status, transportError);
        }
        // Each reason to retry only where it shows the server did not act: an error before
        // the request was sent, or a refusal (a 429 or 503, its body cut or not).
        return !redirected
                && (retriedKind(transportError)
                        && (unsent || UNSENT_KINDS.contains(transportError))
                        || retriedStatus(status) && REFUSED_STATUSES.contains(status));
    }

    /**
     * The wait before retry number {@code retry} (1 for the first), at least
     * {@code retryAfterNanos} (0 when the server gave none).
     */
    public long delayNanos(int retry, long retryAfterNanos, DoubleSupplier random) {
        double ceiling = Math.min(cap.toNanos(), base.toNanos() * Math.pow(2, retry - 1));
        long jittered = (long) (random.getAsDouble() * ceiling);
        return Math.max(jittered, retryAfterNanos);
    }
}
