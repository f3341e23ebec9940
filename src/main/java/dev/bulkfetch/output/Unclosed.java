package dev.bulkfetch.output;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A stream whose close only flushes: for a writer that closes what it writes to, over a stream
 * that must stay open (stdout, or a journal that keeps its file and lock until it closes).
 */
public final class Unclosed extends FilterOutputStream {

    private Unclosed(OutputStream out) {
        super(out);
    }

    /** {@code out}, which a close of the returned stream only flushes. */
    public static OutputStream of(OutputStream out) {
        return new Unclosed(out);
    }

    // FilterOutputStream writes an array a byte at a time.
    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
