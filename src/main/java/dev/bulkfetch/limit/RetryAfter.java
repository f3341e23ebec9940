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

    private RetryAfter() {
    }

    /** The wait the header asks for from {@code now}, in nanoseconds; 0 when absent or bad. */
    public static long nanos(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        String value = header.trim();
        Duration wait;
        if (value.matches("\\d+")) {
            wait = value.length() > 9 ? MAX : Duration.ofSeconds(Long.parseLong(value));
        } else {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                wait = Duration.between(now, at);
            } catch (DateTimeParseException e) {
                return 0;
            }
        }
        if (wait.isNegative()) {
            return 0;
        }
        return (wait.compareTo(MAX) > 0 ? MAX : wait).toNanos();
    }
}
