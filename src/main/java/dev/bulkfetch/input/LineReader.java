package dev.bulkfetch.input;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads an input stream one line at a time as bytes, so that one line that is too long or not
 * UTF-8 is that line's problem and not the whole input's. Holds at most {@code maxLineBytes} of a
 * line: the rest of an over-long line is skipped, never buffered. A line may end in CRLF, and
 * a UTF-8 byte order mark before the first line is dropped; a UTF-16 or UTF-32 one refuses the
 * whole input, every line of which would be garbage.
 */
final class LineReader implements AutoCloseable {

    /**
     * A line as read: its text; or, when it cannot be used, why ({@code problem}) and, as
     * {@code text}, its start as far as it reads, for the record to show.
     */
    record Line(long number, String text, String problem) {
    }

    // How much of an unusable line its record shows, as for any line refused: 4 bytes a
    // character at most are read for it.
    private static final int SHOWN_CHARS = 200;

    private static final String BYTE_ORDER_MARK = "\uFEFF";

    private final InputStream in;
    // What the input is to the user ("-" for stdin), for a refusal to name.
    private final String source;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] line = new byte[256];
    private int bufferPos;
    private int bufferEnd;
    private long lineNumber;
    private boolean eof;
    private boolean headRead;

    LineReader(InputStream in, String source, int maxLineBytes) {
        this.in = in;
        this.source = source;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * The next line, or {@code null} at the end of the input.
     *
     * @throws InputUnavailableException when the input is UTF-16 or UTF-32 (by its byte order
     *     mark), before its first line
     */
    Line next() throws IOException {
        if (!headRead) {
            refuseForeignEncoding();
        }
        // One byte more than a line may hold: a CRLF line's \r, which is no part of it.
        int held = maxLineBytes + 1;
        int length = 0;
        long overflow = 0;
        byte last = 0;
        boolean sawAny = false;
        boolean unterminated = false;
        while (true) {
            if (bufferPos == bufferEnd && !fill()) {
                if (!sawAny) {
                    return null;
                }
                unterminated = true;
                break;
            }
            sawAny = true;
            byte b = buffer[bufferPos++];
            if (b == '\n') {
                break;
            }
            last = b;
            if (length < held) {
                if (length == line.length) {
                    line = Arrays.copyOf(line, Math.min(held, line.length * 2));
                }
                line[length++] = b;
            } else {
                overflow++;
            }
        }
        lineNumber++;
        if (unterminated && in instanceof InputPrefix prefix && prefix.cutsLastLine()) {
            return new Line(lineNumber, start(length), "line is cut: the input was being written"
                    + " when the run took its identity, which ends mid-way through this line,"
                    + " and the run reads no further (a new run reads the line whole)");
        }
        // The line's own bytes: a CRLF line's \r is none of them.
        long size = length + overflow - (last == '\r' ? 1 : 0);
        if (size > maxLineBytes) {
            return new Line(lineNumber, start(length), "line is longer than " + maxLineBytes
                    + " bytes (" + size + " bytes)");
        }
        length = (int) size;
        try {
            String text = utf8.decode(ByteBuffer.wrap(line, 0, length)).toString();
            if (lineNumber == 1 && text.startsWith(BYTE_ORDER_MARK)) {
                // What Windows editors put before a UTF-8 file's first line: not part of it.
                text = text.substring(1);
            }
            return new Line(lineNumber, text, null);
        } catch (CharacterCodingException e) {
            return new Line(lineNumber, start(length), "line is not valid UTF-8");
        }
    }

    /** The first byte of the next line, yet to be read, or -1 at the end of the input. */
    int peek() throws IOException {
        if (!headRead) {
            refuseForeignEncoding();
        }
        return bufferPos < bufferEnd || fill() ? buffer[bufferPos] & 0xFF : -1;
    }

    /** Reads past the next line, which {@link #peek} showed there is, holding none of it. */
    void skipLine() throws IOException {
        lineNumber++;
        do {
            for (int i = bufferPos; i < bufferEnd; i++) {
                if (buffer[i] == '\n') {
                    bufferPos = i + 1;
                    return;
                }
            }
            bufferPos = bufferEnd;
        } while (fill());
    }

    /**
     * The start of the line held, read leniently (a bad byte shows as U+FFFD): enough for the
     * rejected item's record, which cuts it to what it shows.
     */
    private String start(int length) {
        return new String(line, 0, Math.min(length, 4 * SHOWN_CHARS), StandardCharsets.UTF_8);
    }

    /** The number of the line last returned. */
    long lineNumber() {
        return lineNumber;
    }

    /**
     * Reads as much as a byte order mark or a compressed format's magic takes, a pipe's few
     * bytes at a time if need be.
     */
    private void refuseForeignEncoding() throws IOException {
        headRead = true;
        while (bufferEnd < ByteOrderMarks.LONGEST && !eof) {
            int n = in.read(buffer, bufferEnd, buffer.length - bufferEnd);
            if (n <= 0) {
                eof = true;
            } else {
                bufferEnd += n;
            }
        }
        InputUnavailableException refused = ByteOrderMarks.refusal(source, buffer, bufferEnd);
        if (refused != null) {
            throw refused;
        }
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            eof = true;
            return false;
        }
        bufferPos = 0;
        bufferEnd = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

}
