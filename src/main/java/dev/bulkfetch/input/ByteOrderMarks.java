package dev.bulkfetch.input;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Path;

/**
 * The byte order marks of UTF-16 and UTF-32, by which an input saved in one of them (Notepad's
 * "Unicode", PowerShell 5's {@code Out-File}) is known at its first bytes. Read as UTF-8, every
 * line of it is garbage, a NUL between every two characters: such an input is refused as a
 * whole, saying how to convert it, rather than becoming an input error on every line. The
 * first bytes alone are looked at, so a streamed input stays streamed.
 */
final class ByteOrderMarks {

    /** The most bytes a mark takes. */
    static final int LONGEST = 4;

    private ByteOrderMarks() {
    }

    /** An encoding bulkfetch does not read, by the mark its input begins with. */
    record Foreign(String family, String byteOrder, String mark) {
    }

    /**
     * The encoding whose mark the first {@code length} bytes of {@code head} begin with, or
     * null for none of these (UTF-8's own mark is read past, as a line's first character).
     */
    static Foreign of(byte[] head, int length) {
        // UTF-32LE's mark begins with UTF-16LE's: the longer one is looked for first.
        if (begins(head, length, 0xFF, 0xFE, 0x00, 0x00)) {
            return new Foreign("UTF-32", "little-endian", "FF FE 00 00");
        }
        if (begins(head, length, 0x00, 0x00, 0xFE, 0xFF)) {
            return new Foreign("UTF-32", "big-endian", "00 00 FE FF");
        }
        if (begins(head, length, 0xFF, 0xFE)) {
            return new Foreign("UTF-16", "little-endian", "FF FE");
        }
        if (begins(head, length, 0xFE, 0xFF)) {
            return new Foreign("UTF-16", "big-endian", "FE FF");
        }
        return null;
    }

    /**
     * Whether a longer mark than the first {@code length} bytes of {@code head} may still
     * begin with them, so another byte must be read before {@link #of} can tell.
     */
    private static boolean beginsALongerMark(byte[] head, int length) {
        return switch (length) {
            case 1 -> begins(head, 1, 0xFF) || begins(head, 1, 0xFE) || begins(head, 1, 0x00);
            // FE FF is UTF-16BE's whole mark; FF FE may be UTF-32LE's first half.
            case 2 -> begins(head, 2, 0xFF, 0xFE) || begins(head, 2, 0x00, 0x00);
            case 3 -> begins(head, 3, 0xFF, 0xFE, 0x00) || begins(head, 3, 0x00, 0x00, 0xFE);
            default -> false;
        } || CompressedInputs.beginsALongerMagic(head, length);
    }

    /**
     * Why an input that begins with the first {@code length} bytes of {@code head} is refused
     * as a whole, or null: a mark of UTF-16 or -32, or a compressed format's magic.
     */
    static InputUnavailableException refusal(String source, byte[] head, int length) {
        Foreign foreign = of(head, length);
        if (foreign != null) {
            return refusal(source, foreign);
        }
        CompressedInputs.Format compressed = CompressedInputs.of(head, length);
        return compressed == null ? null : CompressedInputs.refusal(source, compressed);
    }

    private static boolean begins(byte[] head, int length, int... mark) {
        if (length < mark.length) {
            return false;
        }
        for (int i = 0; i < mark.length; i++) {
            if ((head[i] & 0xFF) != mark[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code in}, which is {@code source} to the user, with its first bytes read and given back
     * first, unless they mark UTF-16 or -32 or a compressed input ({@link CompressedInputs}):
     * then it is closed and refused. Reads a byte at a
     * time, and no further than a mark could still begin: a pipe that sends a short first line
     * and falls quiet ({@code #\n}, then the producer's first URL minutes later) is not waited
     * for past it, as reading all four bytes would, before the run has even opened its output.
     */
    static InputStream refusingForeign(InputStream in, String source) throws IOException {
        try {
            byte[] head = new byte[LONGEST];
            int length = 0;
            boolean ended = false;
            while (length < LONGEST && !ended) {
                int next = in.read();
                ended = next < 0;
                if (!ended) {
                    head[length++] = (byte) next;
                    if (!beginsALongerMark(head, length)) {
                        break;
                    }
                }
            }
            InputUnavailableException refused = refusal(source, head, length);
            if (refused != null) {
                throw refused;
            }
            InputStream looked = new ByteArrayInputStream(head, 0, length);
            if (ended) {
                in.close();  // not read again: on a terminal, that waits for a second Ctrl-D
                return looked;
            }
            // Not a PushbackInputStream, whose read goes on past the bytes given back to the
            // stream behind them: on a pipe, that waits for bytes that may be long coming.
            return new SequenceInputStream(looked, in);
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Why {@code source} ({@code -} for stdin) cannot be read, encoded as {@code foreign}, and
     * the iconv command that converts it: for a file, into a copy named beside it that keeps
     * its extension (a {@code .jsonl} is still read as one).
     */
    static InputUnavailableException refusal(String source, Foreign foreign) {
        String what = foreign.family() + " (" + foreign.byteOrder() + ": it begins with the byte"
                + " order mark " + foreign.mark() + "), where bulkfetch reads UTF-8: convert it ";
        String iconv = "iconv -f " + foreign.family() + " -t UTF-8";
        if (source.equals("-")) {
            return new InputUnavailableException("stdin is " + what + "on its way in, through "
                    + iconv, null);
        }
        Path file = UrlListReader.resolve(source);
        return new InputUnavailableException("input " + source + " is " + what + "first, with "
                + iconv + " " + ShellWords.file(file) + " > "
                + ShellWords.file(converted(file)), null);
    }

    /**
     * {@code list.txt}'s converted copy: {@code list-utf8.txt}, beside it, or, when a file of
     * that name is there, {@code list-utf8-2.txt}... ({@link ShellWords#unusedBeside}).
     */
    private static Path converted(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? ShellWords.unusedBeside(file, name.substring(0, dot) + "-utf8",
                name.substring(dot)) : ShellWords.unusedBeside(file, name + "-utf8", "");
    }
}
