package dev.bulkfetch.input;

import java.io.IOException;
import java.io.InputStream;

/**
 * The first {@code limit} bytes of a file, read as if they were all of it: a run whose records
 * go to a journal reads its input only as far as the journal's identity measured it, so a list
 * appended to while the run goes on (a producer still writing it) does not outgrow the identity
 * its records are checked against on {@code --resume}.
 *
 * <p>Where the limit falls mid-line and the file goes on past it, the writer was cut off there
 * when the identity was taken: {@link #cutsLastLine()} says so, and the reader refuses that
 * line as what it is, the start of a line, rather than fetch a URL cut short.
 */
final class InputPrefix extends InputStream {

    private final InputStream in;
    private long left;
    // The last byte handed out; a newline before the first, so an empty prefix cuts no line.
    private int last = '\n';
    // Whether the file goes on past the limit, once asked; null until then.
    private Boolean goesOn;

    InputPrefix(InputStream in, long limit) {
        this.in = in;
        this.left = limit;
    }

    @Override
    public int read() throws IOException {
        if (left == 0) {
            return -1;
        }
        int b = in.read();
        if (b >= 0) {
            left--;
            last = b;
        }
        return b;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (left == 0) {
            return -1;
        }
        int n = in.read(bytes, offset, (int) Math.min(length, left));
        if (n > 0) {
            left -= n;
            last = bytes[offset + n - 1];
        }
        return n;
    }

    /**
     * Whether the last line read ends at the limit without a newline while the file goes on
     * past it: a line the writer had not finished. Asked once the prefix is read to its end;
     * looks at the file then, a byte past the limit, and keeps the answer.
     */
    boolean cutsLastLine() throws IOException {
        if (left > 0 || last == '\n') {
            return false;
        }
        if (goesOn == null) {
            goesOn = in.read() >= 0;
        }
        return goesOn;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
