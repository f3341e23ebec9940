package dev.bulkfetch.input;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.NoSuchElementException;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;

/**
 * What every line-based input shares: lines read lazily, one at a time; blank lines and
 * {@code #} comments skipped but counted, so an item's {@code seq} is its line number; a line
 * that is too long or not UTF-8 rejected on its own. Subclasses turn one line into an item.
 */
abstract class LineItemReader implements InputReader {

    private final LineReader lines;
    private InputItem next;
    // The seqs to pass over (a resume's, which have their records): skipped as bytes.
    private LongPredicate skipped = seq -> false;

    /** Reads {@code in}, which is {@code source} to the user ({@code -} for stdin). */
    LineItemReader(InputStream in, String source, int maxLineBytes) {
        this.lines = new LineReader(in, source, maxLineBytes);
    }

    /**
     * The item of line {@code seq}, whose text is {@code text} with its white space at both
     * ends taken off, {@code lead} characters of it before: a column the item's problem names
     * counts them, as the line as written has them ({@link #column}).
     */
    abstract InputItem parse(long seq, String text, int lead);

    /** The item of line {@code seq}, too long or not UTF-8: {@code text} is what was read. */
    abstract InputItem unreadable(long seq, String text, String problem);

    /**
     * The 1-based column, in the line as written, of the character at {@code index} of
     * {@code text}, a line as {@link #parse} has it, {@code lead} characters taken off its
     * start: one column a character as an editor shows it, a tab one, a character outside the
     * BMP (two UTF-16 units, an emoji) one.
     */
    static int column(String text, int lead, int index) {
        return lead + text.codePointCount(0, index) + 1;
    }

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

    /**
     * This input without the items {@code skip} names, passed over as bytes: a resume of a
     * run of millions read and parsed each line it had done, seconds of its start, to skip
     * its item. Takes effect for the lines not yet read, on this reader itself.
     */
    @Override
    public final InputReader skipping(LongPredicate skip) {
        skipped = skipped.or(skip);
        return this;
    }

    private InputItem read() {
        try {
            while (true) {
                if (skipped.test(lines.lineNumber() + 1)) {
                    if (lines.peek() < 0) {
                        return null;
                    }
                    lines.skipLine();
                    continue;
                }
                LineReader.Line line = lines.next();
                if (line == null) {
                    return null;
                }
                if (line.problem() != null) {
                    return unreadable(line.number(), line.text(), line.problem());
                }
                if (!isSkipped(line)) {
                    String text = line.text();
                    int lead = text.length() - text.stripLeading().length();
                    return parse(line.number(), text.strip(), lead);
                }
            }
        } catch (InputUnavailableException e) {
            // The input as a whole (stdin in UTF-16): said as it is, not as a failed read.
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the input failed after line "
                    + lines.lineNumber() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code line} is no item: blank, or a comment. A line that cannot be read (too
     * long, not UTF-8) is an item, its input error's, whatever it starts with.
     */
    private static boolean isSkipped(LineReader.Line line) {
        if (line.problem() != null) {
            return false;
        }
        String text = line.text().strip();
        return text.isEmpty() || text.startsWith("#");
    }

    /**
     * Hands {@code skipped} the number of each line of {@code in} (named {@code source}) that a
     * reader of lines of at most {@code maxLineBytes} skips, and closes {@code in}.
     */
    static void eachSkippedLine(InputStream in, String source, int maxLineBytes,
                                LongConsumer skipped) throws IOException {
        try (LineReader lines = new LineReader(in, source, maxLineBytes)) {
            int first;
            while ((first = lines.peek()) >= 0) {
                if (first > ' ' && first < 0x7F && first != '#') {
                    // Not stripped, no comment: an item, readable or not, so read past it.
                    // Taking each line as text, a list of 10M lines (600 MB) took 1.6 s, not
                    // 0.3 (its checksum's read takes 0.18).
                    lines.skipLine();
                } else if (isSkipped(lines.next())) {
                    skipped.accept(lines.lineNumber());
                }
            }
        }
    }

    @Override
    public final void close() throws IOException {
        lines.close();
    }
}
