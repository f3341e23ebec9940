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

    static Duration parseDuration(String text) {
        return parseDuration(text, false);
    }

    /** As {@link #parseDuration(String)}; {@code zeroAllowed}: 0 (0s, 0ms) means none. */
    static Duration parseDuration(String text, boolean zeroAllowed) {
        String lower = text.trim().toLowerCase(Locale.ROOT);
        if (lower.startsWith("-") && lower.length() > 1) {
            // Said as "not a duration", -1s read as a typo rather than as out of range.
            throw new TypeConversionException("'" + text + "' must be at least 1ms"
                    + (zeroAllowed ? ", or 0" : ""));
        }
        if (NUMBER.matcher(lower).matches()) {
            if (zeroAllowed && Double.parseDouble(lower) == 0) {
                return Duration.ZERO;  // none, in any unit: the one bare number that is clear
            }
            // curl's --max-time counts seconds, other tools milliseconds: a guess would be
            // a thousand times off for one of them.
            throw new TypeConversionException("'" + text + "' has no unit: write " + lower
                    + "s for seconds (or " + lower + "ms)");
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
            throw new TypeConversionException("'" + text + "' must be at least 1ms"
                    + (zeroAllowed ? ", or 0" : ""));
        }
        if (millis > dev.bulkfetch.FetchConfig.MAX_DURATION.toMillis()) {
            // Nothing here waits that long; 3000000h overflowed the engines' nanoseconds.
            throw new TypeConversionException("'" + text + "' must be at most 24h");
        }
        return Duration.ofMillis(Math.round(millis));
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

        DurationConverter() {
            this(false);
        }

        DurationConverter(boolean zeroAllowed) {
            this.zeroAllowed = zeroAllowed;
        }

        @Override
        public Duration convert(String value) {
            return parseDuration(value, zeroAllowed);
        }
    }

    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseSize(value);
        }
    }
}
