package dev.bulkfetch;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request rate: {@code permits} per {@code period}, written {@code 100/s}, {@code 600/min},
 * {@code 5000/h}, from one start in 100 years to 10^9/s (one a nanosecond). Immutable.
 */
public record Rate(double permits, Duration period) {

    private static final Pattern TEXT =
            Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*/\\s*(s|sec|min|m|h)");

    /**
     * Checks that the rate is positive per a positive period of at most 100 years, and that
     * its starts come between one a nanosecond and one in 100 years.
     */
    public Rate {
        java.util.Objects.requireNonNull(period, "period");
        if (!(permits > 0)) {
            throw new IllegalArgumentException("rate must be positive: " + permits);
        }
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("rate period must be positive: " + period);
        }
        if (period.compareTo(LONGEST) > 0) {
            // Its nanoseconds, which every use reads, would overflow a long.
            throw new IllegalArgumentException("rate period must be at most 100 years: "
                    + period);
        }
        String outOfBounds = outOfBounds(permits, period);
        if (outOfBounds != null) {
            throw new IllegalArgumentException(outOfBounds + ": " + permits + " per " + period);
        }
    }

    private static final Duration LONGEST = Duration.ofDays(36_525);

    /**
     * What is wrong with {@code permits} a {@code period}, or null. The gate spaces starts in
     * whole nanoseconds: a faster rate ran at one a nanosecond at best, and one of 10^18/s cut
     * its window into more parts than an int counts (an OutOfMemoryError). A spacing of more
     * than 100 years, the longest period, overflowed the long the gate keeps it in, and the
     * first start never came.
     */
    private static String outOfBounds(double permits, Duration period) {
        double spacingNanos = period.toNanos() / permits;
        if (spacingNanos < 1) {
            return "too large a rate (at most 1000000000/s, one start a nanosecond)";
        }
        if (spacingNanos > LONGEST.toNanos()) {
            return "too small a rate (at least one start in 100 years)";
        }
        return null;
    }

    /** Parses {@code N/s}, {@code N/min} or {@code N/h}. */
    public static Rate parse(String text) {
        java.util.Objects.requireNonNull(text, "rate");
        Matcher m = TEXT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a rate: write it like "
                    + "100/s, 600/min or 5000/h");
        }
        Duration period = switch (m.group(2)) {
            case "s", "sec" -> Duration.ofSeconds(1);
            case "min", "m" -> Duration.ofMinutes(1);
            default -> Duration.ofHours(1);
        };
        double permits = Double.parseDouble(m.group(1));
        if (!(permits > 0)) {
            throw new IllegalArgumentException("'" + text + "' must be more than zero");
        }
        String outOfBounds = outOfBounds(permits, period);
        if (outOfBounds != null) {
            throw new IllegalArgumentException("'" + text + "' is " + outOfBounds);
        }
        return new Rate(permits, period);
    }

    /** Nanoseconds between two evenly spaced starts (at least 1). */
    public long spacingNanos() {
        return Math.max(1, Math.round(period.toNanos() / permits));
    }

    /** This rate in permits per second. */
    public double perSecond() {
        return permits * 1e9 / period.toNanos();
    }

    /**
     * This rate times {@code factor}, never below the slowest rate, one start in 100 years. (It
     * was never below one a minute, so a 429 at {@code 1/h} raised the rate sixtyfold.)
     */
    public Rate times(double factor) {
        double perSecond = perSecond() * factor;
        return perSecond * LONGEST.toSeconds() < 1 ? new Rate(1, LONGEST)
                : new Rate(perSecond, Duration.ofSeconds(1));
    }

    /**
     * Per second with one decimal, as {@code 12.5/s}; a rate below 1/s per minute, and one
     * below 1/min per hour: per second, {@code 10/min} read {@code 0.2/s} (a fifth too fast),
     * and {@code 3/min} {@code 0.1/s}.
     */
    @Override
    public String toString() {
        double perSecond = perSecond();
        if (perSecond >= 0.95) {
            return String.format(Locale.ROOT, "%.1f/s", perSecond);
        }
        if (perSecond * 60 >= 0.95) {
            return String.format(Locale.ROOT, "%.1f/min", perSecond * 60);
        }
        return String.format(Locale.ROOT, "%.3g/h", perSecond * 3600);
    }
}
