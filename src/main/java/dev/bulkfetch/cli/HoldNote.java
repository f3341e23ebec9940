package dev.bulkfetch.cli;

import dev.bulkfetch.output.ProgressLine;
import dev.bulkfetch.run.BulkRun;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * The line fetch says on stderr as a server's Retry-After begins to hold the run, or a host,
 * for a while ({@link BulkRun#onHold}): a backfill under cron or into a log sat idle for up to
 * an hour with nothing to say why, the progress line being a terminal's alone. The end is in
 * local time, as whoever reads the log reads a clock.
 */
final class HoldNote {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private HoldNote() {
    }

    /**
     * Says each hold on {@code err}, through {@code progress} when it is drawn (null when not),
     * so the note does not land on the end of the progress line.
     */
    static Consumer<BulkRun.Hold> sayingOn(PrintWriter err, ProgressLine progress) {
        return hold -> {
            String line = of(hold, ZoneId.systemDefault());
            if (progress != null) {
                progress.note(line);
            } else {
                err.println(line);
                err.flush();
            }
        };
    }

    /** The note for {@code hold}, its end as a time of day in {@code zone}. */
    static String of(BulkRun.Hold hold, ZoneId zone) {
        return "bulkfetch fetch: the server at " + hold.host() + " asked to wait "
                + readable(hold.length()) + " (a 429's Retry-After): "
                + (hold.wholeRun() ? "the run sends nothing" : "nothing goes to it")
                + " until " + CLOCK.format(hold.until().atZone(zone))
                + (hold.wholeRun() ? "" : "; other hosts go on");
    }

    /** {@code wait} to the second, in hours, minutes and seconds: 5 s, 2 min 30 s, 1 h. */
    static String readable(Duration wait) {
        Duration rounded = Duration.ofSeconds(Math.round(wait.toMillis() / 1000.0));
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
