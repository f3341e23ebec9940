package dev.bulkfetch.engine;

import dev.bulkfetch.BodyHandler;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import java.nio.ByteBuffer;

/**
 * One response's side of a {@link BodyHandler}, the same on every engine: opens the sink when
 * the headers come, feeds it, and turns whatever the handler throws into the item's outcome
 * instead of the engine's problem. Used by one thread at a time.
 */
final class BodyReader {

    private final BodyHandler<?> handler;
    private BodyHandler.Sink<?> sink;
    private Throwable failure;

    /** {@code handler} may be null: then bodies are only counted. */
    BodyReader(BodyHandler<?> handler) {
        this.handler = handler;
    }

    /** A new response has started; any earlier one's sink (a redirect's) is dropped. */
    void open(BodyHandler.ResponseInfo response) {
        sink = null;
        failure = null;
        if (handler == null) {
            return;
        }
        try {
            sink = handler.open(response);
        } catch (Throwable e) {
            fail(e);
        }
    }

    void accept(ByteBuffer chunk) {
        if (sink == null) {
            return;
        }
        try {
            sink.accept(chunk);
        } catch (Throwable e) {
            fail(e);
        }
    }

    void accept(byte[] chunk, int offset, int length) {
        if (sink != null) {
            accept(ByteBuffer.wrap(chunk, offset, length));
        }
    }

    /** The response is complete: its outcome, with the handler's value as the body. */
    Outcome finish(int status, long bytes, long latencyNanos, String retryAfter) {
        Object body = null;
        if (sink != null) {
            try {
                body = sink.finish();
            } catch (Throwable e) {
                fail(e);
            }
        }
        if (failure != null && status / 100 == 2) {
            return new Outcome(status, bytes, latencyNanos, FetchError.of(ErrorKind.BODY,
                    "the body handler failed: " + describe(failure)), retryAfter, null);
        }
        return Outcome.response(status, bytes, latencyNanos, retryAfter, body);
    }

    /**
     * The handler threw: the item's outcome says so. An {@code Error} too (an assertion, a
     * stack overflow in a parser), which each engine met in its own way before, as a
     * {@code protocol} or {@code cancelled} failure that lost the status; but not the JVM's
     * own failures, such as running out of memory.
     */
    private void fail(Throwable e) {
        if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
            throw (VirtualMachineError) e;
        }
        sink = null;
        if (failure == null) {
            failure = e;
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        // Jackson appends a multi-line source location; the first line says what was wrong.
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
