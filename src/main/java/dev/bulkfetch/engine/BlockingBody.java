package dev.bulkfetch.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * The body reads of one {@link BlockingExchange}, on its thread: the final body, counted and
 * handed to its {@link BodyReader} up to the limit, and a redirect's, read past. After every
 * read the deadline and the engine's close are checked, since nothing else can end such a
 * read in time (see BlockingExchange). Beside {@link BodyReader}, not in it: that one is the
 * handler's side on every engine and holds its lock per call, which a blocking read must not.
 *
 * <p>Confined to the exchange's thread, like the count it keeps. The exchange keeps the state
 * its watchdog reads; what it lends here is a deadline check, which marks it timed out.
 */
final class BlockingBody {

    /** The exchange's deadline: throws once it has passed, the exchange then timed out. */
    interface Deadline {
        void check() throws SocketTimeoutException;
    }

    private static final int BUFFER_BYTES = 16 * 1024;

    private final BodyReader reader;
    private final long maxBodyBytes;
    // Reads the engine's volatile flag, set by its close() on whichever thread closes it.
    private final BooleanSupplier closing;
    private final Deadline deadline;
    // The final body's bytes read so far, limit plus one at most without a declared length.
    private long bytes;

    BlockingBody(BodyReader reader, long maxBodyBytes, BooleanSupplier closing,
                 Deadline deadline) {
        this.reader = reader;
        this.maxBodyBytes = maxBodyBytes;
        this.closing = closing;
        this.deadline = deadline;
    }

    /** The final body's bytes read so far, also when its read failed. */
    long bytes() {
        return bytes;
    }

    /**
     * Counts the body and feeds it to the body handler; false when it passes the limit.
     * Reads at most the {@code declared} length when there is one (-1: none), else at most
     * one byte past the limit, so {@code bytes} is then the limit plus one on every engine.
     */
    boolean count(InputStream body, long declared) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        long limit = declared >= 0 ? declared : maxBodyBytes + 1;
        int n;
        while ((n = readCounting(body, buffer, limit, declared)) > 0) {
            take(buffer, n);
            deadline.check();
            if (closing.getAsBoolean()) {
                throw new CancellationException("engine closed");
            }
        }
        if (closing.getAsBoolean() && declared < 0) {
            // A body that ends where its connection does may have ended because close()
            // closed that connection (a virtual thread's, by interrupting it): cut off.
            throw new CancellationException("engine closed");
        }
        return bytes <= maxBodyBytes;
    }

    /** Counts {@code n} bytes read into {@code buffer}, and hands them on within the limit. */
    private void take(byte[] buffer, int n) {
        bytes += n;
        if (bytes <= maxBodyBytes) {
            reader.accept(buffer, 0, n);
        }
    }

    /**
     * One read of the final body, at most up to {@code limit} in all. When the stream refuses
     * what came (a bad chunk size, a chunk without its line break, a trailer without a colon),
     * the chunks it decoded whole from the same read are counted first, as the event loop
     * counts them: the JDK's chunked stream decodes all it has read before it hands any on,
     * so a bad chunk in the packet of good ones left those unread, and the body counted 0.
     * The body's {@code declared} length (-1: none) is for the words of a close that cuts it.
     */
    private int readCounting(InputStream body, byte[] buffer, long limit, long declared)
            throws IOException {
        try {
            return readOrCut(body, buffer, (int) Math.min(buffer.length, limit - bytes));
        } catch (SocketException | InterruptedIOException cut) {
            throw cut;  // the connection's failure, not the stream's refusal: nothing decoded
        } catch (IOException refused) {
            try {
                int held;
                // available(): what the stream holds decoded, so the read below takes it
                // without waiting on the connection.
                while (bytes < limit && (held = body.available()) > 0) {
                    int n = body.read(buffer, 0, (int) Math.min(Math.min(held, buffer.length),
                            limit - bytes));
                    if (n <= 0) {
                        break;
                    }
                    take(buffer, n);
                }
            } catch (IOException again) {
                refused.addSuppressed(again);
            }
            throw cutOff(refused, bytes, declared);
        }
    }

    /**
     * Reads a redirect's body (null: none), which declared {@code declared} bytes (-1: no
     * length), to its end or past {@code most} bytes, and says how many it read: more than
     * {@code most}, the rest is left unread. A read the engine's close cuts is a cancel, as
     * the final body's is.
     */
    long drain(InputStream body, long most, long declared) throws IOException {
        long read = 0;
        byte[] buffer = new byte[BUFFER_BYTES];
        while (body != null && read <= most) {
            int n;
            try {
                n = readOrCut(body, buffer, buffer.length);
            } catch (IOException e) {
                throw cutOff(e, read, declared);
            }
            if (n <= 0) {
                break;
            }
            read += n;
            deadline.check();
            if (closing.getAsBoolean()) {
                throw new CancellationException("engine closed");
            }
        }
        return read;
    }

    /**
     * {@code e} as the JDK's stream threw it, or, for its words for a body that its
     * connection's close cut short ("Premature EOF"), a protocol error saying how far the body
     * came, {@code read} bytes of the {@code declared} (-1: none), as the event loop says.
     */
    private static IOException cutOff(IOException e, long read, long declared) {
        return Wording.isCutOff(e) ? (IOException) new java.net.ProtocolException(
                Wording.cutOff(read, declared)).initCause(e) : e;
    }

    /**
     * One read of the body. Failed while the engine closes, it was cut by the close (the
     * connection closed under it, a virtual thread's by its interrupt): the item was
     * cancelled, not reset by its server.
     */
    private int readOrCut(InputStream body, byte[] buffer, int length) throws IOException {
        try {
            return body.read(buffer, 0, length);
        } catch (IOException e) {
            if (closing.getAsBoolean()) {
                throw (CancellationException) new CancellationException("engine closed")
                        .initCause(e);
            }
            throw e;
        }
    }
}
