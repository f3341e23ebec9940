package dev.bulkfetch.engine;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.asynchttpclient.ListenableFuture;
import org.asynchttpclient.netty.NettyResponseFuture;

/**
 * One item's exchange under way on the event loop (its redirects and resends each start a
 * new one), so that a caller's cancel, or the engine's close, can abort it: its connection is
 * closed, and no later exchange of the item starts. Between two exchanges the item may wait for
 * a redirect's permit (its rate): the cancel fails that wait at once, with its reason.
 *
 * <p>One lock, this, guards all three fields, and is held only to read or set them: what the
 * cancel ends (the exchange, the permit) it ends after letting go, as ending either runs the
 * item's next steps, which ask this handle again, maybe from another thread.
 */
final class AbortHandle {

    // The exchange under way, or the last one; guarded by this.
    private ListenableFuture<?> current;
    // The redirect's permit the item waits for, or the last it did; guarded by this.
    private CompletableFuture<?> permit;
    // Why the item was cancelled (its caller, or the engine's close); null until it is.
    // Guarded by this.
    private CancellationException cancelled;

    /** Notes {@code exchange} as the one under way; ends it at once if already cancelled. */
    <T> ListenableFuture<T> started(ListenableFuture<T> exchange) {
        CancellationException why;
        synchronized (this) {
            if (cancelled == null) {
                current = exchange;
                return exchange;
            }
            why = cancelled;
        }
        end(exchange, why);
        return exchange;
    }

    /**
     * Notes {@code wait}, the gate's permit for a redirect's next request, as what the item
     * waits for; fails it at once if already cancelled. Failing it is giving it up, as its
     * timeout does: the gate counts no start for it.
     */
    <T> CompletableFuture<T> waiting(CompletableFuture<T> wait) {
        CancellationException why;
        synchronized (this) {
            if (cancelled == null) {
                permit = wait;
                return wait;
            }
            why = cancelled;
        }
        wait.completeExceptionally(why);
        return wait;
    }

    /** What a cancelled item's exchange ends with. */
    static CancellationException cancellation() {
        return new CancellationException("cancelled by its caller");
    }

    synchronized boolean cancelled() {
        return cancelled != null;
    }

    /** Why the item was cancelled, once {@link #cancelled()}. */
    synchronized CancellationException reason() {
        return cancelled;
    }

    /**
     * Aborts the exchange under way, closing its connection, or fails the permit waited for,
     * and refuses any later exchange.
     */
    void cancel() {
        cancel(cancellation());
    }

    /** As {@link #cancel()}, for {@code why}; a handle already cancelled keeps its reason. */
    void cancel(CancellationException why) {
        ListenableFuture<?> exchange;
        CompletableFuture<?> wait;
        synchronized (this) {
            if (cancelled != null) {
                return;
            }
            cancelled = why;
            exchange = current;
            wait = permit;
        }
        // A permit already given (the item went on) stays so: only a wait still on ends here.
        if (wait != null) {
            wait.completeExceptionally(why);
        }
        if (exchange != null) {
            end(exchange, why);
        }
    }

    /** Ends {@code exchange} and closes its connection, unless it has an answer already. */
    private static void end(ListenableFuture<?> exchange, CancellationException why) {
        io.netty.channel.Channel channel = exchange instanceof NettyResponseFuture<?> netty
                ? netty.channel() : null;
        if (channel == null) {
            // Still connecting: only a cancelled exchange has AHC close the connection once it
            // is made (an aborted one leaked it, open until the client closed).
            exchange.cancel(true);
            return;
        }
        // AHC's abort only completes the exchange; the connection, mid-request, must close too.
        // On the channel's own loop, where the exchange completes, so a connection handed back
        // to the pool (and maybe to another request) after an answer is never closed here.
        channel.eventLoop().execute(() -> {
            if (!exchange.isDone()) {
                exchange.abort(why);
                channel.close();
            }
        });
    }
}
