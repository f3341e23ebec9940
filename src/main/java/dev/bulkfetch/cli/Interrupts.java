package dev.bulkfetch.cli;

import dev.bulkfetch.run.BulkRun;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C during a run: the first stops admitting and gives requests in flight {@code grace} to
 * finish (their records are written), then abandons the rest, which a --resume fetches again;
 * the run then ends with its summary and exit code 130. A second Ctrl-C exits at once, as a
 * SIGTERM does, each deleting the part files of bodies still coming first. The previous
 * handler comes back on {@link #close()}.
 */
final class Interrupts implements AutoCloseable {

    private static final Signal INT = new Signal("INT");

    private final AtomicInteger count = new AtomicInteger();
    private final SignalHandler previous;
    private final Thread onTerm;

    private Interrupts(BulkRun run, Duration grace, PrintWriter err) {
        this.previous = Signal.handle(INT, signal -> {
            if (count.incrementAndGet() > 1) {
                run.deleteUnsavedBodies();
                Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
            }
            err.println("\nbulkfetch: interrupted: finishing the requests in flight (up to "
                    + grace.toMillis() + " ms); Ctrl-C again quits at once");
            err.flush();
            run.stop();
            CompletableFuture.delayedExecutor(grace.toMillis(), TimeUnit.MILLISECONDS)
                    .execute(run::abandon);
        });
        // SIGTERM (kill, timeout, systemd, docker stop) runs the JVM's shutdown hooks.
        this.onTerm = new Thread(run::deleteUnsavedBodies, "bulkfetch-term");
        Runtime.getRuntime().addShutdownHook(onTerm);
    }

    static Interrupts install(BulkRun run, Duration grace, PrintWriter err) {
        return new Interrupts(run, grace, err);
    }

    boolean interrupted() {
        return count.get() > 0;
    }

    @Override
    public void close() {
        Signal.handle(INT, previous);
        try {
            Runtime.getRuntime().removeShutdownHook(onTerm);
        } catch (IllegalStateException e) {
            // The JVM is already going down: the hook runs, harmlessly, after the run's close.
        }
    }
}
