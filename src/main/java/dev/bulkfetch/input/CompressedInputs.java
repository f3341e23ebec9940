package dev.bulkfetch.input;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The compressed formats an input may come in, known by the magic bytes they begin with, as
 * {@link ByteOrderMarks} knows UTF-16. A {@code specs.jsonl.gz} read as text made a record of
 * binary noise for each "line" of it: such an input is refused as a whole, saying how to
 * decompress it. Each format is told by at most {@link ByteOrderMarks#LONGEST}
 * bytes, so the same look at an input's first bytes finds both.
 */
final class CompressedInputs {

    /** A compressed format: its name, the command that writes it decompressed, its magic. */
    record Format(String name, String decompress, int... magic) {

        /** The magic as the message shows it, {@code 1F 8B}: its fixed bytes. */
        String shown() {
            StringBuilder bytes = new StringBuilder();
            for (int b : magic) {
                if (b != DIGIT) {
                    bytes.append(bytes.isEmpty() ? "" : " ").append(String.format("%02X", b));
                }
            }
            return bytes.toString();
        }
    }

    // The extensions a compressed file's name ends in, which its decompressed copy's loses.
    private static final Set<String> COMPRESSED = Set.of("gz", "zst", "xz", "bz2");

    // In a magic: any digit from 1 to 9.
    private static final int DIGIT = -1;

    // xz's magic is six bytes (FD 37 7A 58 5A 00): its first four tell it, as no text in
    // UTF-8 begins with FD. bzip2's "BZh", which a line of text may begin with, is told by
    // the block size after it too, a digit from 1 to 9.
    private static final List<Format> FORMATS = List.of(
            new Format("gzip", "zcat", 0x1F, 0x8B),
            new Format("zstd", "zstdcat", 0x28, 0xB5, 0x2F, 0xFD),
            new Format("xz", "xzcat", 0xFD, 0x37, 0x7A, 0x58),
            new Format("bzip2", "bzcat", 'B', 'Z', 'h', DIGIT));

    private CompressedInputs() {
    }

    /** The format whose magic the first {@code length} bytes of {@code head} begin with. */
    static Format of(byte[] head, int length) {
        for (Format format : FORMATS) {
            if (format.magic().length <= length && matches(head, format.magic().length,
                    format.magic())) {
                return format;
            }
        }
        return null;
    }

    /** Whether a magic longer than the first {@code length} bytes of {@code head} begins so. */
    static boolean beginsALongerMagic(byte[] head, int length) {
        for (Format format : FORMATS) {
            if (format.magic().length > length && matches(head, length, format.magic())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the first {@code length} bytes of {@code head} are those of {@code magic}. */
    private static boolean matches(byte[] head, int length, int[] magic) {
        for (int i = 0; i < length; i++) {
            int b = head[i] & 0xFF;
            if (magic[i] == DIGIT ? b < '1' || b > '9' : b != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Why {@code source} ({@code -} for stdin), compressed as {@code format}, cannot be read,
     * and the command that decompresses it: for a file, into a copy beside it, as the UTF-16
     * refusal has it, which {@code compare} and a {@code --resume} can read too (neither
     * reads stdin); its name loses the compression's extension ({@code specs.jsonl.gz} gives
     * {@code specs.jsonl}, still read as JSON Lines).
     */
    static InputUnavailableException refusal(String source, Format format) {
        String what = format.name() + "-compressed (it begins with " + format.shown()
                + "), where bulkfetch reads text: decompress it ";
        if (source.equals("-")) {
            return new InputUnavailableException("stdin is " + what + "on its way in, through "
                    + format.decompress(), null);
        }
        Path file = UrlListReader.resolve(source);
        return new InputUnavailableException("input " + source + " is " + what + "first, with "
                + format.decompress() + " " + ShellWords.file(file) + " > "
                + ShellWords.file(decompressed(file)), null);
    }

    /**
     * The decompressed copy beside {@code file}: {@code specs.jsonl.gz}'s {@code specs.jsonl},
     * {@code list.gz}'s {@code list.txt}; a name without a compression's extension keeps its
     * own, {@code -decompressed} put before it ({@code specs.jsonl}'s {@code
     * specs-decompressed.jsonl}, still JSON Lines). Never the file itself, which the shell
     * would empty before zcat read it, nor a file already there: {@code list-2.txt} when
     * {@code list.txt} is ({@link ShellWords#unusedBeside}).
     */
    private static Path decompressed(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String extension = dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
        if (COMPRESSED.contains(extension)) {
            String base = name.substring(0, dot);
            int baseDot = base.indexOf('.') > 0 ? base.lastIndexOf('.') : base.length();
            return ShellWords.unusedBeside(file, base.substring(0, baseDot),
                    baseDot < base.length() ? base.substring(baseDot) : ".txt");
        }
        return ShellWords.unusedBeside(file, (dot > 0 ? name.substring(0, dot) : name)
                + "-decompressed", dot > 0 ? name.substring(dot) : ".txt");
    }
}
