package dev.bulkfetch.run;

import dev.bulkfetch.engine.RedirectGate;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;

/**
 * The {@link Sender}'s redirect gate under a rate: a redirect's next request starts when the
 * run's rate (and its host's) allow, that start counted like any other. It owns the permits not
 * yet given, which the sender's stop fails; the stop flag, the timer and the gates stay the
 * sender's, lent here as a flag to read, an executor and two calls on the gates.
 *
 * <p>No lock of its own: the pending set is concurrent, and a permit is failed by the stop or
 * given by whichever thread finds its start allowed, the first to complete it winning. The
 * start is counted under the sender's lock, inside {@code recordStart}.
 */
final class RedirectPermits implements RedirectGate {

    private final ScheduledExecutorService timer;
    // Reads the sender's volatile flag, set by its stop() on the signal's thread, or its
    // close().
    private final BooleanSupplier stopped;
    // Reserves a start in the run's gate and the host's: how long until it comes.
    private final ToLongFunction<String> reserve;
    // Counts a start now when both gates allow it, else says how long until they may.
    private final ToLongFunction<String> recordStart;
    // Permits not yet given: added by the engine's thread that asks, removed as each
    // completes, failed by stop() from the signal's thread.
    private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();

    RedirectPermits(ScheduledExecutorService timer, BooleanSupplier stopped,
                    ToLongFunction<String> reserve, ToLongFunction<String> recordStart) {
        this.timer = timer;
        this.stopped = stopped;
        this.reserve = reserve;
        this.recordStart = recordStart;
    }

    /**
     * When a redirect's request to {@code to} may start: at once, or when the run's rate (and
     * the host's) allow, that start counted like any other. {@link #stop()} fails it, and the
     * item comes back unsent (its first request went, so --resume sends it again, as it does an
     * item in flight at a crash).
     */
    @Override
    public CompletableFuture<Void> permit(URI to) {
        CompletableFuture<Void> permit = new CompletableFuture<>();
        pending.add(permit);
        permit.whenComplete((allowed, refused) -> pending.remove(permit));
        // stop() may have gone through the set just before the add.
        if (stopped.getAsBoolean()) {
            permit.completeExceptionally(runStopped());
            return permit;
        }
        String host = Attempt.hostOf(to);
        long wait = reserve.applyAsLong(host);
        if (wait > 0) {
            later(host, permit, wait);
        } else {
            startWhenAllowed(host, permit);
        }
        return permit;
    }

    /**
     * Looks again in {@code waitNanos}. The timer is shut down only by the sender's close,
     * which stops this first, but a permit asked for just before may come here after: it
     * fails as stopped, where the rejection would have reached the engine as an error.
     */
    private void later(String host, CompletableFuture<Void> permit, long waitNanos) {
        try {
            timer.schedule(() -> startWhenAllowed(host, permit), waitNanos,
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            permit.completeExceptionally(runStopped());
        }
    }

    /** As the sender's check before a send: both windows, then both count the start. */
    private void startWhenAllowed(String host, CompletableFuture<Void> permit) {
        if (stopped.getAsBoolean() || permit.isDone()) {
            // Stopped, or the exchange gave up on it (its timeout): no start to count.
            return;
        }
        long wait = recordStart.applyAsLong(host);
        if (wait > 0) {
            later(host, permit, wait);
        } else {
            permit.complete(null);
        }
    }

    /**
     * Fails every permit not yet given: the sender has stopped (or is closing), its flag
     * already set.
     */
    void stop() {
        pending.forEach(permit -> permit.completeExceptionally(runStopped()));
    }

    /**
     * What a permit the stop fails ends with: one each, as an exception is mutable (a suppressed
     * one added to a shared instance would show on every item), and a shared one's stack trace
     * is that of the class's set-up.
     */
    private static CancellationException runStopped() {
        return new CancellationException("the run stopped before a redirect's request could start");
    }
}
