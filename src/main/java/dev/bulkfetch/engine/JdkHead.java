package dev.bulkfetch.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.HttpURLConnection;
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
 */
final class JdkHead {

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
        }
        return conn.getResponseCode();
    }
}
