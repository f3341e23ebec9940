package dev.bulkfetch.cli;

/** The exit codes the README lists, by name. */
final class ExitCodes {
    /** Every item ended ok. */
    static final int OK = 0;
    /** The run completed and some items were not ok. */
    static final int SOME_FAILED = 1;
    /** A bad command line, or an input or output that cannot be opened. */
    static final int USAGE = 2;
    /** Stopped by SIGHUP (a closed terminal or ssh session), as Ctrl-C stops a run. */
    static final int HUNG_UP = 129;
    /** Interrupted (SIGINT); the records written so far are whole lines. */
    static final int INTERRUPTED = 130;
    /** Stopped by SIGTERM, as Ctrl-C stops a run (128 + 15, as the shell reports it). */
    static final int TERMINATED = 143;

    /** Whether {@code code} says a signal stopped the run, which may then be resumed. */
    static boolean stoppedBySignal(int code) {
        return code == INTERRUPTED || code == TERMINATED || code == HUNG_UP;
    }

    private ExitCodes() {
    }
}
