package dev.bulkfetch.cli;

import dev.bulkfetch.input.InputReader;
import dev.bulkfetch.input.InputUnavailableException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Stdin's first bytes, waited for before {@code -o} is emptied, so that a UTF-16 stdin is
 * refused with the earlier records kept ({@link InputReader#checkOpens(String, InputStream)}),
 * while the stop signals are handled. The wait may be long (a query that prints nothing for an
 * hour), and it comes before the run's own handlers: a SIGTERM in it killed the JVM outright,
 * with no summary, where a run stopped at any other time writes one.
 */
final class StdinWait {

    /** What the wait came to: the stream to read stdin from, or the signal that stopped it. */
    record Waited(InputStream stdin, Interrupts.Stop stop) {
    }

    private StdinWait() {
    }

    /**
     * Waits for {@code stdin}'s first bytes, or its end, or a stop signal, whichever comes
     * first. On a signal the wait's thread is left reading stdin: nothing can end a read of a
     * pipe, and the run is over.
     *
     * @throws InputUnavailableException when stdin is refused, or cannot be read
     */
    static Waited await(InputStream stdin)
            throws InputUnavailableException, InterruptedException {
        CompletableFuture<Waited> waited = new CompletableFuture<>();
        try (StopSignals signals = StopSignals.install(
                stop -> waited.complete(new Waited(null, stop)))) {
            // A daemon: one still blocked in the read when a signal stops the run must not keep
            // the JVM from exiting.
            Thread.ofPlatform().daemon().name("bulkfetch-stdin-wait").start(() -> {
                try {
                    waited.complete(new Waited(InputReader.checkOpens("-", stdin), null));
                } catch (Throwable e) {
                    waited.completeExceptionally(e);
                }
            });
            return waited.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InputUnavailableException refused) {
                throw refused;
            }
            throw new IllegalStateException("the wait for stdin failed", e.getCause());
        }
    }
}
