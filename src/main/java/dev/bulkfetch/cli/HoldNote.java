package dev.bulkfetch.cli;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.output.ProgressLine;
import dev.bulkfetch.run.BulkRun;
import dev.bulkfetch.run.Hold;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * The line fetch says on stderr as a server's Retry-After begins to hold the run, a host, or
 * the items a host answered 503 (or, without a rate, 429), for a while
 * ({@link BulkRun#onHold}): a backfill under cron or into a log sat idle for up to an hour
 * with nothing to say why, the progress line being a terminal's alone. It names the status
 * whose Retry-After it was, and the options that pace the others. The end is in local time,
 * as whoever reads the log reads a clock.
 */
final class HoldNote {

    // The longest wait said as it is: past it, the length matters no more than that it is
    // far past the hour bulkfetch waits at most.
    private static final Duration LONGEST_SAID = Duration.ofHours(1000);

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private HoldNote() {
    }

    /**
     * Says each hold of a run with {@code config} on {@code err}, through {@code progress}
     * when it is drawn (null when not), so the note does not land on the end of the progress
     * line.
     */
    static Consumer<Hold> sayingOn(PrintWriter err, ProgressLine progress,
                                   FetchConfig config) {
        String pacedBy = pacedBy(config);
        return hold -> {
            String line = of(hold, pacedBy, ZoneId.systemDefault());
            if (progress != null) {
                progress.note(line);
            } else {
                err.println(line);
                err.flush();
            }
        };
    }

    /** The options that pace a run with {@code config}, as a note names them; null: none. */
    static String pacedBy(FetchConfig config) {
        if (config.rate() == null) {
            return config.ratePerHost() == null ? null : "--rate-per-host";
        }
        return config.ratePerHost() == null ? "--rate" : "--rate and --rate-per-host";
    }

    /**
     * The note for {@code hold} in a run paced by {@code pacedBy} (null when none), its end as
     * a time of day in {@code zone}.
     */
    static String of(Hold hold, String pacedBy, ZoneId zone) {
        String until = CLOCK.format(hold.until().atZone(zone));
        // An hour is the most bulkfetch waits (RetryAfter.MAX): when a server asked for more,
        // the note says so, or a user would wonder why the run went on before its time.
        String asked = readable(hold.asked()) + " (a " + hold.status() + "'s Retry-After)"
                + (hold.asked().compareTo(hold.length()) > 0
                        ? ", longer than the " + readable(hold.length())
                                + " bulkfetch waits at most" : "");
        return "bulkfetch fetch: the server at " + hold.host() + " asked to wait " + asked
                + ": " + switch (hold.scope()) {
                    case RUN -> "the run sends nothing until " + until;
                    case HOST -> "nothing goes to it until " + until + "; other hosts go on";
                    case ANSWERED -> "the items it answered " + hold.status() + " wait until "
                            + until + " to go again; " + others(hold, pacedBy);
                };
    }

    /**
     * What the rest of the run does while the answered items wait: without a rate it goes on;
     * under one the others go at its pace, which a 429's hold (said on its own) stops and 429s
     * slow, and which the status waited for leaves as it was (under a rate only a 503's hold
     * is of the answered items, and RateGate slows for 429s alone).
     */
    private static String others(Hold hold, String pacedBy) {
        return pacedBy == null ? "the run goes on with the others"
                : "the others go at the pace of " + pacedBy + ", which a " + hold.status()
                        + " does not slow";
    }

    /**
     * {@code wait} to the second, in hours, minutes and seconds: 5 s, 2 min 30 s, 1 h; past
     * {@link #LONGEST_SAID}, "more than" it: a Retry-After of 20 digits is read as the longest
     * Duration, and "2562047788015215 h 30 min 7 s" was no number the server sent.
     */
    static String readable(Duration wait) {
        if (wait.compareTo(LONGEST_SAID) > 0) {
            return "more than " + LONGEST_SAID.toHours() + " h";
        }
        // Whole seconds, half a second up.
        Duration rounded = Duration.ofSeconds(wait.getSeconds()
                + (wait.getNano() >= 500_000_000 ? 1 : 0));
        java.util.StringJoiner text = new java.util.StringJoiner(" ");
        if (rounded.toHours() > 0) {
            text.add(rounded.toHours() + " h");
        }
        if (rounded.toMinutesPart() > 0) {
            text.add(rounded.toMinutesPart() + " min");
        }
        if (rounded.toSecondsPart() > 0 || text.length() == 0) {
            text.add(rounded.toSecondsPart() + " s");
        }
        return text.toString();
    }
}
