package dev.bulkfetch.engine;

import dev.bulkfetch.BodyHandler;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import java.nio.ByteBuffer;

/**
 * One response's side of a {@link BodyHandler}, the same on every engine: opens the sink when
 * the headers come, feeds it, abandons it when the body will not be complete, and turns
 * whatever the handler throws into the item's outcome instead of the engine's problem.
 *
 * <p>Its methods hold its lock: the thread reading the body and one ending the exchange (AHC's
 * timer, for a timeout) may meet here, and a sink must see them one at a time. Uncontended
 * but for that race, so a chunk pays only an uncontended lock.
 */
final class BodyReader {

    /**
     * Whether a response to {@code method} with {@code status} may carry a body at all: a
     * HEAD's, a 1xx's, a 204's or a 304's {@code Content-Length} is of a body that never comes.
     */
    static boolean expected(String method, int status) {
        return !method.equals("HEAD") && status != 204 && status != 304 && status >= 200;
    }

    private final BodyHandler<?> handler;
    private BodyHandler.Sink<?> sink;
    private Throwable failure;
    // Set by abandon(): the exchange has ended, and a response read after (AHC's timer may
    // end it while its I/O thread is still handing a response over) opens no sink.
    private boolean ended;

    /** {@code handler} may be null: then bodies are only counted. */
    BodyReader(BodyHandler<?> handler) {
        this.handler = handler;
    }

    /** A new response has started; any earlier one's unfinished sink is abandoned. */
    synchronized void open(BodyHandler.ResponseInfo response) {
        release();
        failure = null;
        if (handler == null || ended) {
            return;
        }
        try {
            sink = handler.open(response);
        } catch (Throwable e) {
            fail(e);
        }
    }

    synchronized void accept(ByteBuffer chunk) {
        if (sink == null) {
            return;
        }
        try {
            sink.accept(chunk);
        } catch (Throwable e) {
            fail(e);
        }
    }

    synchronized void accept(byte[] chunk, int offset, int length) {
        if (sink != null) {
            accept(ByteBuffer.wrap(chunk, offset, length));
        }
    }

    /** The response is complete: its outcome, with the handler's value as the body. */
    synchronized Outcome finish(int status, long bytes, long latencyNanos, String retryAfter) {
        Object body = null;
        if (sink != null) {
            try {
                body = sink.finish();
                sink = null;
            } catch (Throwable e) {
                fail(e);
            }
        }
        if (failure != null && status / 100 == 2) {
            return new Outcome(status, bytes, latencyNanos, bodyError(), retryAfter, null);
        }
        return Outcome.response(status, bytes, latencyNanos, retryAfter, body);
    }

    /**
     * What an exchange that ended without a whole body ({@code ended}: too large, timed out,
     * cut off, reset) comes to: a body error instead when the handler had failed on a 2xx
     * before the end, as {@link #finish} has it, since that failure came first and the item
     * would be one whatever became of the rest of the body. It keeps {@code ended}'s status,
     * bytes and timing. A cancel stays one: the run stopped, and a resume fetches the item again.
     */
    synchronized Outcome failedFirst(Outcome ended) {
        if (failure == null || ended.status() == null || ended.status() / 100 != 2
                || ended.error() == null || ended.error().kind() == ErrorKind.CANCELLED) {
            return ended;
        }
        return new Outcome(ended.status(), ended.bytes(), ended.latencyNanos(), bodyError(),
                ended.retryAfter(), null, ended.finalUrl(), false, false, false);
    }

    private FetchError bodyError() {
        return FetchError.of(ErrorKind.BODY, "the body handler failed: " + describe(failure));
    }

    /**
     * The exchange has ended without a whole body (too large, timed out, cut off, cancelled):
     * the sink, if one is open and unfinished, lets go of what it holds, and no other opens.
     * Safe to call on any path that ends the exchange, once or more.
     */
    synchronized void abandon() {
        ended = true;
        release();
    }

    /** Abandons the open sink, if any. */
    private void release() {
        BodyHandler.Sink<?> open = sink;
        sink = null;
        if (open != null) {
            try {
                open.abandon();
            } catch (VirtualMachineError e) {
                if (e instanceof StackOverflowError) {
                    return;
                }
                throw e;
            } catch (Throwable e) {
                // The body is given up on already; a sink failing to let go (an Error too,
                // an assertion) changes nothing: the item keeps the failure that ended it.
            }
        }
    }

    /**
     * The handler threw: the item's outcome says so. An {@code Error} too (an assertion, a
     * stack overflow in a parser), which each engine met in its own way before, as a
     * {@code protocol} or {@code cancelled} failure that lost the status; but not the JVM's
     * own failures, such as running out of memory.
     */
    private void fail(Throwable e) {
        if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
            release();
            throw (VirtualMachineError) e;
        }
        release();
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
