package dev.bulkfetch.cli;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The CLI's units: durations written {@code 250ms}, {@code 3s}, {@code 2m}, {@code 1h}, or
 * compound as {@code 1m30s} (each unit once, larger first); sizes
 * written {@code 512KiB}, {@code 10MiB}, {@code 1GiB} (also {@code KB}/{@code MB} as powers of
 * 1000, and plain bytes). Picocli puts the option's name in front of each message.
 */
final class Units {

    /** One number and its unit; a duration is one or more of them, larger units first. */
    private static final Pattern DURATION_PART =
            Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|sec|s|min|m|h)");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");
    /**
     * The units largest first, as a compound duration writes them (min and sec too, as a rate
     * takes them: 100/min), and their lengths.
     */
    private static final List<String> UNITS = List.of("h", "m", "s", "ms");
    private static final java.util.Map<String, String> SYNONYMS = java.util.Map.of("min", "m",
            "sec", "s");
    private static final double[] UNIT_MILLIS = {3_600_000, 60_000, 1_000, 1};
    private static final Pattern SIZE = Pattern.compile(
            "(\\d+(?:\\.\\d+)?)\\s*(B|KiB|MiB|GiB|KB|MB|GB|K|M|G)?", Pattern.CASE_INSENSITIVE);

    private Units() {
    }

    /**
     * What a timeout's zero or negative value is told beside its minimum: 0 (or -1) turns
     * other tools' timeouts off, and no value turns these off.
     */
    static final String NO_NO_TIMEOUT = "there is no 'no timeout' (24h at most)";

    static Duration parseDuration(String text) {
        return parseDuration(text, false);
    }

    /** As {@link #parseDuration(String)}; {@code zeroAllowed}: 0 (0s, 0ms) means none. */
    static Duration parseDuration(String text, boolean zeroAllowed) {
        return parseDuration(text, zeroAllowed, null);
    }

    /**
     * As {@link #parseDuration(String, boolean)}; where 0 is refused, {@code noZero} (null:
     * nothing) is said of a zero or a negative value beside the minimum, as what it is not.
     */
    static Duration parseDuration(String text, boolean zeroAllowed, String noZero) {
        String lower = text.trim().toLowerCase(Locale.ROOT);
        if (lower.startsWith("-") && lower.length() > 1) {
            // Said as "not a duration", -1s read as a typo rather than as out of range.
            throw tooShort(text, zeroAllowed, noZero);
        }
        if (NUMBER.matcher(lower).matches()) {
            double number = Double.parseDouble(lower);
            if (number == 0) {
                if (zeroAllowed) {
                    return Duration.ZERO;  // none, in any unit: the one bare number that is clear
                }
                // "write 0s for seconds (or 0ms)", each of which was then refused.
                throw tooShort(text, false, noZero);
            }
            // curl's --max-time counts seconds, other tools milliseconds: a guess would be
            // a thousand times off for one of them. Only what would be taken is suggested.
            boolean seconds = inRange(number * 1000);
            boolean millis = inRange(number);
            if (!seconds && !millis) {
                throw number * 1000 < 1 ? tooShort(text, zeroAllowed, null) : tooLong(text);
            }
            throw new TypeConversionException("'" + text + "' has no unit: write "
                    + (seconds ? lower + "s for seconds" + (millis ? " (or " + lower + "ms)" : "")
                    : lower + "ms for milliseconds"));
        }
        double millis = 0;
        int end = 0;
        int nextUnit = 0;
        Matcher part = DURATION_PART.matcher(lower);
        while (end < lower.length() && part.region(end, lower.length()).lookingAt()) {
            int unit = UNITS.indexOf(SYNONYMS.getOrDefault(part.group(2), part.group(2)));
            if (unit < nextUnit) {
                throw notADuration(text);
            }
            millis += Double.parseDouble(part.group(1)) * UNIT_MILLIS[unit];
            nextUnit = unit + 1;
            end = part.end();
        }
        if (end == 0 || end < lower.length()) {
            throw notADuration(text);
        }
        if (millis == 0 && zeroAllowed) {
            return Duration.ZERO;
        }
        if (millis < 1) {
            throw tooShort(text, zeroAllowed, millis == 0 ? noZero : null);
        }
        if (millis > dev.bulkfetch.FetchConfig.MAX_DURATION.toMillis()) {
            throw tooLong(text);
        }
        return Duration.ofMillis(Math.round(millis));
    }

    /** Whether {@code millis} is a duration an option takes, 1ms to 24h. */
    private static boolean inRange(double millis) {
        return millis >= 1 && millis <= dev.bulkfetch.FetchConfig.MAX_DURATION.toMillis();
    }

    private static TypeConversionException tooShort(String text, boolean zeroAllowed,
                                                    String noZero) {
        return new TypeConversionException("'" + text + "' must be at least 1ms"
                + (zeroAllowed ? ", or 0" : noZero == null ? "" : "; " + noZero));
    }

    private static TypeConversionException tooLong(String text) {
        // Nothing here waits that long; 3000000h overflowed the engines' nanoseconds.
        return new TypeConversionException("'" + text + "' must be at most 24h");
    }

    private static TypeConversionException notADuration(String text) {
        return new TypeConversionException("'" + text + "' is not a duration: write it like "
                + "250ms, 3s, 2m, 1h or 1m30s (larger units first, each once)");
    }

    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a size: write it like "
                    + "512KiB, 10MiB or 1GiB");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long factor = switch (unit) {
            case "B" -> 1L;
            case "KIB", "K" -> 1L << 10;
            case "MIB", "M" -> 1L << 20;
            case "GIB", "G" -> 1L << 30;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            default -> 1_000_000_000L;
        };
        return Math.round(value * factor);
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        private final boolean zeroAllowed;
        private final String noZero;

        DurationConverter() {
            this(false);
        }

        DurationConverter(boolean zeroAllowed) {
            this(zeroAllowed, null);
        }

        /** One refusing 0, saying {@code noZero} of it (see {@link #parseDuration}). */
        DurationConverter(String noZero) {
            this(false, noZero);
        }

        private DurationConverter(boolean zeroAllowed, String noZero) {
            this.zeroAllowed = zeroAllowed;
            this.noZero = noZero;
        }

        @Override
        public Duration convert(String value) {
            return parseDuration(value, zeroAllowed, noZero);
        }
    }

    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseSize(value);
        }
    }
}
