package dev.bulkfetch.engine;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * Asked by an engine before each redirect's next request, which is a request like any other to
 * the server: under {@code --rate} it must take a start of its own. The engines follow
 * redirects themselves, so without this a list whose URLs redirected once made the server count
 * twice the rate. The engine waits for the permit (within the item's timeout), and sends. The
 * gate is the run's (its sender's); the engine knows no more of limits than that it asks.
 */
@FunctionalInterface
public interface RedirectGate {

    /** Lets every redirect go at once: no rate is set. */
    RedirectGate OPEN = to -> CompletableFuture.completedFuture(null);

    /**
     * Completes when a request to {@code to} may start (the start is counted then), or fails
     * with a {@code CancellationException} when the run stops sending first. A new future on
     * each call, the asking engine's alone: an engine that no longer waits for it (its item
     * cancelled, its close, its deadline) fails it, and the gate then counts no start for it.
     */
    CompletableFuture<Void> permit(URI to);
}
