package dev.bulkfetch.engine;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one request and completes with its {@link Outcome}. Engines know nothing of limits,
 * files or output: the caller decides how many requests are in flight, and an engine must cope
 * with up to {@link EngineOptions#concurrency()} at once without queueing them itself.
 *
 * <p>The returned future never completes exceptionally: failures are outcomes. Cancelling it
 * aborts the exchange (its connection is closed, no redirect of it followed). Closing an engine
 * fails what is still in flight as {@code cancelled} and frees its threads.
 */
public interface Engine extends AutoCloseable {

    /** The engine's name as records write it ({@code event-loop}, {@code threads}, ...). */
    String name();

    /** Sends {@code request}. Never blocks the caller on I/O. */
    CompletableFuture<Outcome> send(FetchRequest request);

    @Override
    void close();

    /** The error of a body over {@code limit}, worded the same by every engine. */
    static dev.bulkfetch.FetchError tooLarge(long limit) {
        return dev.bulkfetch.FetchError.of(dev.bulkfetch.ErrorKind.TOO_LARGE,
                "response body is larger than the limit of " + limit + " bytes");
    }

    /** A new engine of {@code kind}. */
    static Engine create(EngineKind kind, EngineOptions options) {
        return create(kind, options, RedirectGate.OPEN);
    }

    /** As above; each redirect's next request waits for {@code redirects} to let it go. */
    static Engine create(EngineKind kind, EngineOptions options, RedirectGate redirects) {
        return switch (kind) {
            case EVENT_LOOP -> new EventLoopEngine(options, redirects);
            case THREADS, VIRTUAL, SERIAL -> new BlockingEngine(kind, options, redirects);
        };
    }
}
