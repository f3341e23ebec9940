package dev.bulkfetch.input;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.NoSuchElementException;

/**
 * What every line-based input shares: lines read lazily, one at a time; blank lines and
 * {@code #} comments skipped but counted, so an item's {@code seq} is its line number; a line
 * that is too long or not UTF-8 rejected on its own. Subclasses turn one line into an item.
 */
abstract class LineItemReader implements InputReader {

    private final LineReader lines;
    private InputItem next;

    LineItemReader(InputStream in, int maxLineBytes) {
        this.lines = new LineReader(in, maxLineBytes);
    }

    /** The item of line {@code seq}, whose stripped text is {@code text}. */
    abstract InputItem parse(long seq, String text);

    /** The item of line {@code seq}, too long or not UTF-8: {@code text} is what was read. */
    abstract InputItem unreadable(long seq, String text, String problem);

    @Override
    public final boolean hasNext() {
        if (next == null) {
            next = read();
        }
        return next != null;
    }

    @Override
    public final InputItem next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        InputItem item = next;
        next = null;
        return item;
    }

    private InputItem read() {
        try {
            LineReader.Line line;
            while ((line = lines.next()) != null) {
                if (line.problem() != null) {
                    return unreadable(line.number(), line.text(), line.problem());
                }
                String text = line.text().strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                return parse(line.number(), text);
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the input failed after line "
                    + lines.lineNumber() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public final void close() throws IOException {
        lines.close();
    }
}
