package dev.bulkfetch.limit;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads a {@code Retry-After} header: delay seconds, or an HTTP date. */
public final class RetryAfter {

    /** Servers are not trusted to ask for more than this. */
    static final Duration MAX = Duration.ofHours(1);

    /**
     * What a header asked for, and the wait bulkfetch grants: the same, or {@link #MAX} when
     * it asked for more (a hold's note says so). Both zero when absent, bad, or past.
     */
    public record Wait(Duration asked, Duration granted) {
        static final Wait NONE = new Wait(Duration.ZERO, Duration.ZERO);
    }

    private RetryAfter() {
    }

    /** The wait the header asks for from {@code now}, in nanoseconds; 0 when absent or bad. */
    public static long nanos(String header, Instant now) {
        return of(header, now).granted().toNanos();
    }

    /** The wait the header asks for from {@code now}, and the wait granted. */
    public static Wait of(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Wait.NONE;
        }
        String value = header.trim();
        Duration wait;
        if (value.matches("\\d+")) {
            // Past 18 digits a long cannot hold it: asked for as long as a Duration goes.
            wait = Duration.ofSeconds(value.length() > 18 ? Long.MAX_VALUE
                    : Long.parseLong(value));
        } else {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                wait = Duration.between(now, at);
            } catch (DateTimeParseException e) {
                return Wait.NONE;
            }
        }
        if (wait.isNegative()) {
            return Wait.NONE;
        }
        return new Wait(wait, wait.compareTo(MAX) > 0 ? MAX : wait);
    }
}
