package dev.bulkfetch.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.HttpURLConnection;
import java.net.ProtocolException;
import java.net.SocketException;
import javax.net.ssl.SSLException;

/**
 * Reads the head of a response on the JDK's client to its status, and tells a head that came
 * whole from one whose read failed. {@code getResponseCode()} reads the head, and when that
 * read fails (a reset, the idle timeout, the watchdog's close) still parses whatever status
 * line it had read by then: a 429 cut off by a reset was a 429, retried as the server's
 * refusal (a POST too), and a 200 was kept beside the reset, where no answer came. The event
 * loop says so, with no status. So the head is read here first, by {@code getInputStream()},
 * whose read failure is thrown as it came; what it throws for a head that came whole (a 404's
 * {@code FileNotFoundException}, the other error statuses', a streamed request's 401) is left
 * to {@code getResponseCode()}, which gives the status, as it did.
 *
 * <p>A close in the middle of the head is not seen here: the JDK's parser takes the end of the
 * stream for the end of the headers, and the client shows nothing of its bytes (README).
 *
 * <p>Nor can the head be read here before the JDK parses it, as Netty's codec reads it: over
 * plain HTTP the client makes its socket itself ({@code new Socket(Proxy.NO_PROXY)}, no factory
 * to give it) and reads it through a buffer of its own, so what it makes of the first bytes is
 * final. An empty line before a status line, which the event loop skips, is a response without
 * one to it ({@link Wording#NO_STATUS_LINE}), and a four-digit 1xxx an interim response (see
 * {@link StatusCodes}). Only JVM-wide hooks (a socket implementation factory, a default cookie
 * handler, which is shown each head) or opening its internals would reach those bytes (README).
 *
 * <p>The JDK reads each interim response (1xx) inside the call that read the one before, so
 * more than a few thousand of them before an answer overflow the thread's stack (from 3,000 to
 * 8,000 in runs, as the JIT has made the frames): the item is a protocol error then. The error
 * ended the engine's future, and the item read as cancelled. No lower cap can be set: the
 * client shows nothing of the interim responses it reads.
 */
final class JdkHead {

    static final String TOO_MANY_INTERIM = "invalid HTTP response: more interim (1xx) "
            + "responses before the answer than the JDK's client takes (a few thousand)";

    private JdkHead() {
    }

    /** {@code conn}'s status once its head was read whole; -1 for a status line not read. */
    static int status(HttpURLConnection conn) throws IOException {
        try {
            conn.getInputStream();
        } catch (SocketException | InterruptedIOException | SSLException cut) {
            // The read of the head failed (a timeout is an InterruptedIOException): what it
            // read of a status line is no answer.
            throw cut;
        } catch (IOException answered) {
            // A status the JDK gives no body stream for: getResponseCode() reads it.
        } catch (StackOverflowError interimWithoutEnd) {
            // Thrown at the depth of the last interim response read, and caught here, far
            // above it: the stack is free again. The connection is closed by the caller.
            throw new ProtocolException(TOO_MANY_INTERIM);
        }
        return conn.getResponseCode();
    }
}
