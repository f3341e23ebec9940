package dev.bulkfetch.cli;

import dev.bulkfetch.output.FileErrors;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The records of a run could not be written, mid-run: the reader of stdout gone ({@code | head
 * -1}), a full disk. The run stops as a stopped run does (requests in flight are abandoned,
 * without a record) and says what it did, as FetchReport ends it: the error, the summary of the
 * records written, those lost apart, and a last line that counts both. A body that cannot be
 * saved to --save-bodies' folder ends the run the same way: its record cannot be written whole.
 *
 * @param cause the write's error
 * @param output -o's file, or null for stdout
 * @param stream whether the records went to a stream (stdout, a pipe, a device), not to a
 *     file that is their journal
 * @param withSignal whether a signal stopped the run and the records' reader with it (Ctrl-C
 *     to a pipeline): the signal then ended the run, and its exit code is the run's
 * @param canResume whether --resume can go on from the run's records (see FetchCommand)
 * @param bodies --save-bodies' folder when a body could not be saved there, else null
 */
record RecordsFailed(IOException cause, Path output, boolean stream, boolean withSignal,
                     boolean canResume, Path bodies) {

    RecordsFailed(IOException cause, Path output, boolean stream, boolean withSignal,
                  boolean canResume) {
        this(cause, output, stream, withSignal, canResume, null);
    }

    /**
     * A body that could not be saved into {@code bodies} ({@code saved}: BodyStore's error,
     * which names it): no signal stopped the records' reader, whatever stopped the run.
     */
    static RecordsFailed bodyNotSaved(IOException saved, Path bodies, Path output,
                                      boolean canResume) {
        return new RecordsFailed(saved, output, false, false, canResume, bodies);
    }

    /** The error, as said before the summary: "cannot write the records: Broken pipe". */
    String said() {
        return advised(bodies != null ? cause.getMessage() : "cannot write " + (stream
                ? "the records" : output) + ": " + cause.getMessage(), output, canResume);
    }

    /** {@code what} failed mid-run, with the advice to resume from {@code output} if it can. */
    static String advised(String what, Path output, boolean canResume) {
        return !canResume ? what : what + ". " + output + " holds the records finished so far,"
                + " as complete lines; when there is room, run the same command with --resume"
                + " to go on.";
    }

    /**
     * Why records were lost, or the run stopped, for the last line: "the reader of the records
     * stopped (...)".
     */
    String why() {
        if (bodies != null) {
            return "saving a body to " + bodies + " failed (" + FileErrors.reason(
                    cause.getCause() instanceof IOException io ? io : cause) + ")";
        }
        // A stream's write fails so when its reader is gone (EPIPE), which a signal to the
        // whole pipeline stops too; anything else is said as what failed, and why.
        if (withSignal || stream && "Broken pipe".equals(cause.getMessage())) {
            return "the reader of the records stopped" + (withSignal ? " too" : "") + " ("
                    + cause.getMessage() + ")";
        }
        return "writing them to " + (output == null ? "stdout" : output) + " failed ("
                + FileErrors.reason(cause) + ")";
    }
}
