package dev.bulkfetch.engine;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * One {@link BlockingExchange}'s deadline and its engine's close, as the exchange's thread
 * checks them: before it connects, after, as its body goes and is read ({@link
 * BlockingBody}), where the JDK asks for a new connection ({@link ConnectGate}), and while a
 * redirect waits for the rate. A check that finds the deadline passed notes that the exchange
 * timed out, so its failure, whatever ended it, is that timeout.
 *
 * <p>The threads that end the exchange (its watchdog, a caller's cancel) read and set it too:
 * the exchange keeps what they decide under its lock, this only the two values they share.
 */
final class ExchangeDeadline {

    // Reads the engine's volatile flag, set by its close() on whichever thread closes it.
    private final BooleanSupplier closing;
    // Brought forward to now by a caller's cancel: everything that keeps the deadline
    // then ends the exchange.
    private volatile long deadlineNanos;
    // Set by whichever thread found the deadline passed.
    private volatile boolean timedOut;

    ExchangeDeadline(long deadlineNanos, BooleanSupplier closing) {
        this.deadlineNanos = deadlineNanos;
        this.closing = closing;
    }

    /** Whether the engine is closing. */
    boolean closing() {
        return closing.getAsBoolean();
    }

    /** Whether the deadline is now or past. */
    boolean passed() {
        return System.nanoTime() - deadlineNanos >= 0;
    }

    /** What the exchange has left, in nanoseconds: 0 or less once it is out of time. */
    long leftNanos() {
        return deadlineNanos - System.nanoTime();
    }

    /** The caller cancelled: the deadline is now. */
    void bringForward() {
        deadlineNanos = System.nanoTime();
    }

    /** Notes that the exchange timed out (found so by another thread, or about to throw). */
    void timedOut() {
        timedOut = true;
    }

    /** Whether the exchange timed out, or is past its deadline now. */
    boolean hasTimedOut() {
        return timedOut || passed();
    }

    /** Throws once the deadline has passed, the exchange then timed out. */
    void check() throws SocketTimeoutException {
        if (System.nanoTime() - deadlineNanos > 0) {
            timedOut = true;
            throw new SocketTimeoutException("request deadline passed");
        }
    }

    /** Throws once the engine is closing ({@code cause}: what its close cut), or timed out. */
    void checkAborted(Exception cause) throws SocketTimeoutException {
        if (closing.getAsBoolean()) {
            throw (CancellationException) new CancellationException("engine closed")
                    .initCause(cause);
        }
        check();
    }

    /**
     * Refuses a new connection once the engine is closing or the deadline has passed, where
     * the JDK asks for its socket (see {@link ConnectGate}).
     */
    void mayOpen() throws ConnectGate.Refused {
        try {
            checkAborted(null);
        } catch (SocketTimeoutException | CancellationException e) {
            throw new ConnectGate.Refused(e);
        }
    }

    /**
     * Waits, within the deadline, for {@code permit} to grant a redirect's request its start
     * under the rate; interrupted (the engine is closing, or the caller cancelled), the
     * exchange is cancelled.
     */
    void await(java.util.function.Supplier<CompletableFuture<Void>> permit) throws IOException {
        CompletableFuture<Void> waited = null;
        try {
            if (passed()) {
                throw new TimeoutException();  // cancelled just now
            }
            waited = permit.get();
            waited.get(Math.max(0, leftNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            // A permit no longer waited for is given up, as the event loop's is: granted later,
            // the rate would count a start for a request never sent.
            if (waited != null) {
                waited.cancel(false);
            }
            if (e instanceof InterruptedException) {
                // The engine is closing (Ctrl-C's grace is out), or the caller cancelled.
                Thread.currentThread().interrupt();
                throw new CancellationException("engine closed");
            }
            timedOut = true;
            throw new SocketTimeoutException("request deadline passed waiting for"
                    + " the rate to allow a redirect");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }
}
