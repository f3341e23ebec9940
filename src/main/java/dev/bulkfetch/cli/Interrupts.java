package dev.bulkfetch.cli;

import dev.bulkfetch.run.BulkRun;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * Ctrl-C, SIGTERM (kill, timeout, systemd, docker stop) or SIGHUP (the terminal or the ssh
 * session closed) during a run: the first stops admitting and gives requests in flight
 * {@code grace} to finish (their records are written), then abandons the rest, which a --resume
 * fetches again; the run then ends with its summary and exit code 130 for Ctrl-C, 143 for
 * SIGTERM, 129 for SIGHUP. SIGTERM and SIGHUP ended the JVM at once, without the summary a
 * wrapper stopping a backfill reads, and with the requests in flight lost to the next run.
 * A signal ignored when the run starts stays ignored (nohup ignores SIGHUP, a shell's
 * background job SIGINT): the JVM installs no handler for it. A run that has still not ended
 * {@link #STUCK} after the grace (its output blocked: a reader of stdout that stopped reading,
 * a hung file system) exits all the same, as SIGTERM did, for a supervisor sends it once. A
 * second Ctrl-C or SIGTERM exits at once, deleting the part files of bodies still coming first,
 * as do the JVM's other ways out (its shutdown hooks); a second SIGHUP is ignored. The previous
 * handlers come back on {@link #close()}.
 */
final class Interrupts implements AutoCloseable {

    /** The signals that stop a run, with the exit code the shell would report for each. */
    enum Stop {
        INT(ExitCodes.INTERRUPTED, "interrupted", "Ctrl-C again"),
        TERM(ExitCodes.TERMINATED, "terminated", "a second SIGTERM or Ctrl-C"),
        // Not a second SIGHUP: a closing terminal hangs up twice (see stop).
        HUP(ExitCodes.HUNG_UP, "hung up", "SIGTERM or Ctrl-C");

        final Signal signal = new Signal(name());
        final int exitCode;
        final String reason;
        final String again;

        Stop(int exitCode, String reason, String again) {
            this.exitCode = exitCode;
            this.reason = reason;
            this.again = again;
        }

        String said() {
            return this == INT ? reason : reason + " (SIG" + name() + ")";
        }
    }

    /** Said, after "bulkfetch: " or "compare: ", of a second SIGHUP, which is not heeded. */
    static final String HUNG_UP_AGAIN = "hung up again: going on (a closing terminal hangs up"
            + " twice); SIGTERM or Ctrl-C quits at once";

    /** How long past the grace a stopped run may take to end before the JVM is halted. */
    static final Duration STUCK = Duration.ofSeconds(3);

    private final BulkRun run;
    private final Duration grace;
    private final PrintWriter err;
    // "\n" on a terminal, where the ^C echo or the progress line holds the cursor mid-line; ""
    // elsewhere, where it left a blank line in the log.
    private final String lineStart;
    // Whether --resume can go on from this run (an output file, an input read again).
    private final boolean resumable;
    // The first signal; null until one came. Set under this object's lock.
    private volatile Stop first;
    // When it came (System.nanoTime()); guarded by this.
    private long firstNanos;
    /** The same signal again within this is one sender's second copy, not a second signal. */
    static final Duration ECHO = Duration.ofMillis(100);
    // Open once the first signal has come.
    private final CountDownLatch signalled = new CountDownLatch(1);
    private volatile boolean closed;
    private final StopSignals signals;
    private final Thread onExit;

    private Interrupts(BulkRun run, Duration grace, PrintWriter err, boolean terminal,
                       boolean resumable) {
        this.run = run;
        this.grace = grace;
        this.err = err;
        this.lineStart = terminal ? "\n" : "";
        this.resumable = resumable;
        this.signals = StopSignals.install(this::stop);
        this.onExit = new Thread(run::deleteUnsavedBodies, "bulkfetch-term");
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    /** Where a stop signal goes, with when it came (System.nanoTime()). */
    @FunctionalInterface
    interface Handler {
        void stop(Stop signal, long atNanos);
    }

    // Each signal runs its handler on a thread of its own, so two may come here at once.
    private void stop(Stop signal) {
        stop(signal, System.nanoTime());
    }

    /**
     * What {@code signal}, which came at {@code atNanos}, does to the run: also called for one
     * that came to the handlers before these ({@link StdinWait#handOver}).
     */
    void stop(Stop signal, long atNanos) {
        boolean again;
        boolean echo;
        synchronized (this) {
            again = first != null;
            echo = again && echo(first, firstNanos, signal, atNanos);
            if (!again) {
                first = signal;
                firstNanos = atNanos;
            }
        }
        if (again && signal == Stop.HUP) {
            // A closing terminal hangs up twice: bash sends its jobs SIGHUP, then the kernel
            // sends it to the foreground group as bash exits. Quitting at the second would
            // lose the requests in flight and the summary, nearly every time. Said for a log.
            say("bulkfetch: " + HUNG_UP_AGAIN);
            return;
        }
        if (echo) {
            // timeout(1) sends its SIGTERM twice, to the command and then to its own group,
            // microseconds apart: taken for a second signal, it quit at once, with no summary
            // and the requests in flight lost. No one presses Ctrl-C twice that fast. Not said:
            // it is one signal to the sender, and a line for it, on a thread racing the first
            // one's, came before that line as often as after it (review).
            return;
        }
        if (again) {
            // Said, or a user who pressed twice cannot tell a quit from a crash.
            say("bulkfetch: quitting at once: what is still in flight, or held for input"
                    + " order, gets no record" + (resumable ? " (--resume fetches it again)"
                    : ""));
            halt(signal.exitCode);
        }
        // Before the summary the run ends with; but stderr may be blocked too, and the stop
        // must not wait on it for more than a moment.
        say("bulkfetch: " + signal.said() + ": finishing the requests in flight (up to "
                + grace.toMillis() + " ms); " + signal.again + " quits at once");
        run.stop();
        signalled.countDown();
        CompletableFuture.delayedExecutor(grace.toMillis(), TimeUnit.MILLISECONDS)
                .execute(run::abandon);
        CompletableFuture.delayedExecutor(grace.plus(STUCK).toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> {
                    if (!closed) {
                        say("bulkfetch: the run did not end " + STUCK.toSeconds() + " s after"
                                + " the grace (its output blocked?): quitting");
                        halt(signal.exitCode);
                    }
                });
    }

    /** Prints {@code message}, waiting for stderr a moment at most. */
    private void say(String message) {
        StopSignals.say(err, lineStart + message);
    }

    /**
     * Whether {@code again}, at {@code againNanos}, only repeats {@code first}, which came at
     * {@code firstNanos}: the same signal, sooner than a person could send a second.
     */
    static boolean echo(Stop first, long firstNanos, Stop again, long againNanos) {
        return again == first && againNanos - firstNanos < ECHO.toNanos();
    }

    private void halt(int code) {
        run.deleteUnsavedBodies();
        Runtime.getRuntime().halt(code);
    }

    /**
     * Handles the stop signals for {@code run}, saying what it does on {@code err}, which is a
     * terminal if {@code terminal}.
     */
    static Interrupts install(BulkRun run, Duration grace, PrintWriter err, boolean terminal,
                              boolean resumable) {
        return new Interrupts(run, grace, err, terminal, resumable);
    }

    boolean interrupted() {
        return first != null;
    }

    /**
     * Whether a signal has stopped the run, or does within {@code wait}: a reader of the
     * records stopped by the same Ctrl-C (bulkfetch | jq) may break the pipe before this JVM
     * has run its handler, which starts a thread of its own.
     */
    boolean stoppedWithin(Duration wait) throws InterruptedException {
        return signalled.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The exit code of the signal that stopped the run: 130 (Ctrl-C), 143 (SIGTERM) or 129
     * (SIGHUP).
     */
    int exitCode() {
        return first.exitCode;
    }

    /** What stopped the run, for its last line: "interrupted", "terminated" or "hung up". */
    String reason() {
        return first.reason;
    }

    @Override
    public void close() {
        closed = true;
        signals.close();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException e) {
            // The JVM is already going down: the hook runs, harmlessly, after the run's close.
        }
    }
}
