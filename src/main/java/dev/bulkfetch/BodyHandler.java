package dev.bulkfetch;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * Sees each response body as it arrives, chunk by chunk, and makes of it the value that lands in
 * {@link FetchResult#body()}: so a job keeps only what it needs (a parsed object, a count, a
 * digest) instead of every byte. {@link BodyHandlers} has the common ones: bytes, text, JSON
 * through Jackson, files, and discard.
 *
 * <p>How it is called:
 * <ul>
 *   <li>{@link #open} once per response the item may end with, every attempt and every status,
 *       when the headers have come; not for a redirect that is followed, nor for a body whose
 *       declared length is over the max body, nor, through a {@link Fetcher}, for a request
 *       its caller has withdrawn (cancelled), whose result no one will see. It returns the
 *       sink for that body, or {@code null} to only count the bytes.</li>
 *   <li>{@link Sink#accept} for each chunk in order, then {@link Sink#finish} once at the end.
 *       A sink sees at most the fetcher's max body.</li>
 *   <li>{@link Sink#abandon} instead of {@code finish} when the body will not be complete: a
 *       larger body ({@code too_large}), a timeout, a reset, or a close of the fetcher while it
 *       streams.</li>
 *   <li>A finished value may still be dropped unseen: its attempt is retried, or the fetcher
 *       closes before the result is handed over. So the value must hold nothing that needs
 *       releasing; a sink that writes a file should leave it where it is wanted at
 *       {@code finish}, not expect to be told it was used.</li>
 *   <li>On the event-loop engine these calls run on a Netty I/O thread that serves many other
 *       requests, and {@code abandon} may run on the timer thread every timeout shares: a
 *       handler must be quick and must never block. The thread engines call it on the
 *       request's own thread.</li>
 *   <li>If a sink throws on a 2xx response, the item ends as a {@code body} error with the
 *       exception's message, whatever then becomes of the rest of the body (over the max body,
 *       cut off, timed out or reset: the sink's failure came first), unless the fetcher closes
 *       first, which leaves it cancelled; on any other status the item keeps its HTTP error
 *       (or the failure that cut its body) and the body is {@code null}. Either way the rest of
 *       the body is still read, so the connection can be reused.</li>
 * </ul>
 *
 * @param <T> what the handler makes of a body
 */
@FunctionalInterface
public interface BodyHandler<T> {

    /** The sink for one response's body, or {@code null} to keep nothing of it. */
    Sink<T> open(ResponseInfo response);

    /** Receives one body. Each sink is used by one thread at a time, never concurrently. */
    interface Sink<T> {
        /**
         * The next chunk. The buffer is only valid during the call: copy what you keep.
         *
         * @throws Exception to give up on this body (see {@link BodyHandler} for what follows)
         */
        void accept(ByteBuffer chunk) throws Exception;

        /** The body is complete; returns what goes into {@link FetchResult#body()}. */
        T finish() throws Exception;

        /**
         * The body will not be complete and nothing more comes: release what the sink holds (a
         * file it was writing, say). Also called when {@link #accept} or {@link #finish} threw.
         * At most once, never after {@code finish} returned, never while {@code accept} runs,
         * though perhaps from another thread (a timeout's). Does nothing by default.
         */
        default void abandon() {
        }
    }

    /** What is known of a response when its body starts. */
    interface ResponseInfo {
        /** The HTTP status. */
        int status();

        /**
         * The first value of a response header, by case-insensitive name.
         *
         * @throws NullPointerException when {@code name} is null, on every engine
         */
        Optional<String> header(String name);

        /**
         * Every value of a response header, by case-insensitive name, in the order the
         * response gave them (each {@code Set-Cookie} line, say; a line of comma-separated
         * values is one value); empty when it has none. The fetcher's engines give them all;
         * by default, for an implementation of this interface of your own (a test's stub),
         * the first value alone.
         *
         * @throws NullPointerException when {@code name} is null, on every engine
         */
        default List<String> headers(String name) {
            return header(name).map(List::of).orElse(List.of());
        }

        /**
         * The URL this response came from: the request's, or, when redirects were followed,
         * the one the last redirect led to, against which the body's relative links resolve
         * (as sent: without user info, as the request's own goes as an {@code Authorization}
         * header and credentials in a redirect's Location are not used at all, and without a
         * fragment, which is never sent). The fetcher's engines always give it; by default,
         * for an implementation of this interface of your own, {@code null}.
         */
        default URI url() {
            return null;
        }

        /**
         * The method of the request this answers, as sent: a 303 is followed with a GET. The
         * fetcher's engines always give it; by default, for an implementation of this
         * interface of your own, {@code null}.
         */
        default String method() {
            return null;
        }

        /**
         * The {@link FetchRequest#seq() seq} of the request this answers, the same on each of
         * its attempts and redirects: a name for what the body is kept as (a file, a key). The
         * fetcher's engines always give it; by default, for an implementation of this
         * interface of your own, 0, which no request has.
         */
        default long seq() {
            return 0;
        }

        /**
         * The {@link FetchRequest#id() id} of the request this answers. The fetcher's engines
         * always give it; by default, for an implementation of this interface of your own,
         * {@code null}.
         */
        default String id() {
            return null;
        }
    }
}
