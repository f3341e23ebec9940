package dev.bulkfetch.engine;

import java.util.concurrent.CancellationException;
import org.asynchttpclient.ListenableFuture;
import org.asynchttpclient.netty.NettyResponseFuture;

/**
 * One item's exchange under way on the event loop (its redirects and resends each start a
 * new one), so that a caller's cancel can abort it: its connection is closed, and no later
 * exchange of the item starts.
 */
final class AbortHandle {

    // Guarded by this.
    private ListenableFuture<?> current;
    private boolean cancelled;

    /** Notes {@code exchange} as the one under way; aborts it at once if already cancelled. */
    <T> ListenableFuture<T> started(ListenableFuture<T> exchange) {
        synchronized (this) {
            if (!cancelled) {
                current = exchange;
                return exchange;
            }
        }
        exchange.abort(new CancellationException("cancelled by its caller"));
        return exchange;
    }

    synchronized boolean cancelled() {
        return cancelled;
    }

    /** Aborts the exchange under way, closing its connection, and refuses any later one. */
    void cancel() {
        ListenableFuture<?> exchange;
        synchronized (this) {
            cancelled = true;
            exchange = current;
        }
        if (exchange == null) {
            return;
        }
        CancellationException cancellation = new CancellationException("cancelled by its caller");
        io.netty.channel.Channel channel = exchange instanceof NettyResponseFuture<?> netty
                ? netty.channel() : null;
        if (channel == null) {
            // Still connecting: AHC closes a connection made for an exchange already done.
            exchange.abort(cancellation);
            return;
        }
        // AHC's abort only completes the exchange; the connection, mid-request, must close too.
        // On the channel's own loop, where the exchange completes, so a connection handed back
        // to the pool (and maybe to another request) after an answer is never closed here.
        channel.eventLoop().execute(() -> {
            if (!exchange.isDone()) {
                exchange.abort(cancellation);
                channel.close();
            }
        });
    }
}
