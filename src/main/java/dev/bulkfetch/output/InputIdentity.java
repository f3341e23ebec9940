package dev.bulkfetch.output;

import dev.bulkfetch.input.InputReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The identity file of a journal: {@code FILE.input} beside the journal {@code FILE}, which says
 * which input the journal's records belong to. Its first line is the input's identity (path,
 * size, the format it is read as, a checksum of its content, as far as one read of it went),
 * so that a resume against another input, or reading it as another format, is refused instead
 * of mixing two runs; its second line is {@code running} while a run is under way, so that a
 * new run without {@code --resume} does not empty the records of one that never ended.
 *
 * <p>Kept apart from {@link Journal}, which owns the journal file and its lock: the journal
 * decides when the identity is written, checked and marked, under that lock; this class knows
 * the file's format, how an identity is taken, and which identities of earlier versions still
 * match.
 */
final class InputIdentity {

    private static final int HASHED_BYTES = 64 * 1024;
    // The identity file's line after the identity while a run is under way: it goes when
    // every item has its record.
    private static final String RUNNING = "running";
    private static final String LEGACY_HASH = "sha256-64k=";

    private final Path journal;
    private final Path file;

    /** The identity file of the journal {@code journal}, a path already resolved. */
    InputIdentity(Path journal) {
        this.journal = journal;
        this.file = fileOf(journal);
    }

    /** Where the identity of the input of journal {@code journal} is kept: beside it. */
    static Path fileOf(Path journal) {
        return journal.resolveSibling(journal.getFileName() + ".input");
    }

    /** The identity file itself. */
    Path file() {
        return file;
    }

    /**
     * When the journal was given as {@code link} to it: an identity file written beside the
     * link by a version that did not follow it is moved beside the journal, where its mark and
     * identity are looked for now.
     */
    void adoptFrom(Path link) throws IOException {
        if (!journal.equals(link) && !Files.exists(file) && Files.exists(fileOf(link))) {
            Files.move(fileOf(link), file);
        }
    }

    /** Whether the identity file says its run did not finish; false when there is none. */
    boolean unfinished() throws IOException {
        try {
            return Files.readAllLines(file).contains(RUNNING);
        } catch (NoSuchFileException e) {
            return false;  // a run from stdin, which cannot be resumed, or no run of ours
        }
    }

    /** A new run over the input of {@code identity} begins: recorded, and marked running. */
    void begin(String identity) throws IOException {
        replace(file, identity + "\n" + RUNNING + "\n");
    }

    /** A new run over an input that cannot be resumed from: no identity is kept. */
    void forget() throws IOException {
        Files.deleteIfExists(file);
    }

    /**
     * Refuses a resume unless the recorded identity is that of {@code input} as it is now, or
     * of its first bytes (it grew since: appended to while the run read it, or after), or one
     * an earlier version took of the same content; and unless {@code format} reads it as the
     * records were made. Returns how much of it the records are of, which is all the resumed
     * run reads.
     *
     * @throws Journal.CannotResume when there is no identity file, when it names another
     *     input, or another format
     */
    Extent check(Path input, InputReader.Format format) throws IOException {
        String recorded;
        try {
            recorded = Files.readAllLines(file).getFirst().strip();
        } catch (NoSuchFileException | java.util.NoSuchElementException e) {
            throw new Journal.CannotResume("cannot resume " + journal + ": "
                    + file + " is missing, so the input it was made from is "
                    + "unknown (a run that read stdin or a pipe writes none: it cannot be"
                    + " resumed); start afresh with --overwrite, or with another output file",
                    e);
        }
        Extent extent = matching(input, recorded);
        if (extent == null) {
            throw new Journal.CannotResume("cannot resume " + journal + ": "
                    + change(input, recorded) + "; resume with the input it was made from,"
                    + " or start afresh with --overwrite", null);
        }
        refuseAnotherFormat(input, format, field(recorded, "format"));
        return extent;
    }

    /**
     * A resume that would read the input in another format than its records were made by
     * (specs.jsonl renamed specs.txt, or --input-format changed, or a specs.ndjson read as a
     * URL list before auto read that name as JSON Lines) took each JSON Lines spec
     * for a URL that is none: every item left became an input error, counted as done, its
     * whole line, keys and all, in its record. An identity of an earlier version names no
     * format, and is not refused: no record says which it was, and refusing would strand
     * every unfinished run of that version.
     */
    private void refuseAnotherFormat(Path input, InputReader.Format format, String recorded)
            throws Journal.CannotResume {
        InputReader.Format read = format.of(input.toString());
        if (recorded == null || recorded.equals(read.cliName())) {
            return;
        }
        InputReader.Format made = read == InputReader.Format.URLS ? InputReader.Format.JSONL
                : InputReader.Format.URLS;
        throw new Journal.CannotResume("cannot resume " + journal + ": its records were made"
                + " reading the input as " + describe(made) + ", and this run would read "
                + input + " as " + describe(read) + (format == InputReader.Format.AUTO
                ? " (--input-format auto, the default, reads a name ending in .jsonl or"
                + " .ndjson as JSON Lines and any other as a URL list)" : " (--input-format "
                + format.cliName() + ")") + advice(made, format), null);
    }

    /**
     * What to do about a resume refused for its format, whose records were made reading the
     * input as {@code made}, where {@code format} reads it otherwise. Records that auto would
     * now make from JSON Lines but were made reading it as a URL list (a {@code .ndjson}
     * name, which auto read as one in earlier versions) are each an input error, so starting
     * afresh comes first there.
     */
    private static String advice(InputReader.Format made, InputReader.Format format) {
        return made == InputReader.Format.URLS && format == InputReader.Format.AUTO
                ? "; start afresh with --overwrite to read it as JSON Lines (records made"
                + " reading specs as URLs are input errors), or resume with --input-format urls"
                + " to read it as they were made"
                : "; resume with --input-format " + made.cliName() + " to read it as they were"
                + " made, or start afresh with --overwrite";
    }

    private static String describe(InputReader.Format format) {
        return format == InputReader.Format.JSONL ? "JSON Lines request specs" : "a URL list";
    }

    /** The extent of {@code input} that {@code recorded} is the identity of, or null. */
    private static Extent matching(Path input, String recorded) throws IOException {
        String size = field(recorded, "size");
        if (size == null || !size.matches("[0-9]{1,18}")) {
            return null;  // no identity this version can read (an edit): no input matches it
        }
        Checksum checksum = Checksum.of(recorded);
        if (checksum == Checksum.WHOLE) {
            // Read no further than the bytes recorded: what was appended since is no matter.
            Measured head = measure(input, Long.parseLong(size));
            return head.bytes() == Long.parseLong(size) && recorded.endsWith(" " + head.hash())
                    ? head.extent() : null;
        }
        // A checksum of the head: the size, the whole input's, must be the same too.
        Measured whole = measure(input, Long.MAX_VALUE);
        return content(recorded).equals(content(of(input, checksum))) ? whole.extent() : null;
    }

    /**
     * What differs between the input {@code recorded} names and {@code input}, in words: its
     * size, its lines, or, where neither, its content. It showed both identities whole: the
     * same path twice when only the content had changed.
     */
    private static String change(Path input, String recorded) throws IOException {
        String size = field(recorded, "size");
        if (size == null || !recorded.startsWith("path=")) {
            return "the identity it records cannot be read (" + recorded + ")";
        }
        String path = recorded.substring("path=".length(), recorded.lastIndexOf(" size="));
        boolean moved = !path.equals(shown(input));
        String lines = field(recorded, "lines");  // none in an earlier version's
        Measured now = measure(input, Long.MAX_VALUE);
        String then = size + " bytes" + (lines == null ? "" : " in " + lines + " lines");
        String held = now.bytes() + " bytes" + (lines == null ? ""
                : " in " + now.lines() + " lines");
        String made = moved ? path + ", which it was made from," : "it";
        String what;
        if (!then.equals(held)) {
            what = input + " holds " + held + ", where " + made + " held " + then;
        } else {
            Checksum checksum = Checksum.of(recorded);
            what = input + " holds as many bytes" + (lines == null ? "" : " and lines") + " as "
                    + made + " did (" + held + "), but not the same ones: their checksum is "
                    + (checksum == Checksum.WHOLE ? now.hash() : lastWord(of(input, checksum)))
                    + ", where it was " + lastWord(recorded);
        }
        return (moved ? "it was made from another input: "
                : "its input has changed since it was made: ") + what;
    }

    private static String lastWord(String identity) {
        return identity.substring(identity.lastIndexOf(' ') + 1);
    }

    /** The value of {@code key=} in an identity, or null when it has none. */
    private static String field(String identity, String key) {
        // The last: a path, which comes first, may hold anything, a space too.
        int at = identity.lastIndexOf(" " + key + "=");
        if (at < 0) {
            return null;
        }
        int start = at + key.length() + 2;
        int end = identity.indexOf(' ', start);
        return identity.substring(start, end < 0 ? identity.length() : end);
    }

    /**
     * Marks the run under way ({@code running}) or finished, keeping the recorded identity.
     * Nothing to mark when there is no identity file (an input that cannot be resumed from).
     */
    void mark(boolean running) throws IOException {
        if (Files.exists(file)) {
            String current = Files.readString(file);
            String identity = current.lines().findFirst().orElse("").strip();
            if (identity.isEmpty()) {
                throw new IOException(file + " is empty: the input it records is lost");
            }
            String marked = identity + "\n" + (running ? RUNNING + "\n" : "");
            if (!marked.equals(current)) {  // a new run was marked running when it opened
                replace(file, marked);
            }
        }
    }

    /** How an identity's checksum was taken: now over the whole input; once over its head. */
    enum Checksum {
        WHOLE("crc32c="),
        HEAD("crc32c-64k="),
        LEGACY_HEAD(LEGACY_HASH);

        private final String label;

        Checksum(String label) {
            this.label = label;
        }

        /** The kind a recorded identity used (journals of earlier versions still resume). */
        static Checksum of(String recorded) {
            return recorded.contains(LEGACY_HEAD.label) ? LEGACY_HEAD
                    : recorded.contains(HEAD.label) ? HEAD : WHOLE;
        }
    }

    /**
     * What of an identity says which items the input holds: its size and checksum, not its
     * path, nor the format it is read as (checked apart). A list moved, or copied with its
     * output to another machine to go on there, is the same list; the path stays in the
     * identity, for a person reading the file.
     */
    static String content(String identity) {
        return field(identity, "size") + " " + lastWord(identity);
    }

    /**
     * How much of the input a journal's records are of, as its identity measured it: a run
     * reads that much of it and no more, so its records are of the input its identity names
     * though a writer appends to it as the run goes on.
     *
     * @param bytes the bytes the identity's size and checksum cover
     * @param lines their lines as the input's reader numbers them (an item's seq is its line
     *     number): the newlines, and one more for a last line without one, cut or not
     */
    record Extent(long bytes, long lines) {
        /** All of an input that has no identity (stdin, a pipe): no seq is past it. */
        static final Extent UNBOUNDED = new Extent(Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** The input's identity, as taken now, and the extent of it that identity covers. */
    record Taken(String identity, Extent extent) {
    }

    /**
     * The input's identity, read as {@code format}, and its lines: one read of the whole
     * input, as far as it goes when read. Its size is the bytes that read took: a writer
     * appending to the input meanwhile made the size the file had after it, and no later read
     * matched the checksum. The format recorded is the one it is read as, URLs or JSON Lines.
     */
    static Taken take(Path input, InputReader.Format format) throws IOException {
        Measured whole = measure(input, Long.MAX_VALUE);
        return new Taken(identity(input, whole.bytes(), whole.lines(),
                format.of(input.toString()), whole.hash()), whole.extent());
    }

    /**
     * The input's identity by a checksum of earlier versions, which read its head: its
     * absolute path, size, and that checksum.
     *
     * <p>The checksum is now of all of it: a checksum of the first 64 KiB let a list
     * re-exported with the same lines in another order resume, and the records of the lines
     * that moved stood for other URLs, which were never fetched. CRC-32C, not a cryptographic
     * hash: it guards against resuming from the wrong file by mistake, not against a forged
     * one, and the JDK computes it with the CPU's own instruction, far faster than the input is
     * read (SHA-256 also cost 13 ms of every run to load the JDK's security providers).
     */
    static String of(Path input, Checksum checksum) throws IOException {
        try (InputStream in = Files.newInputStream(input)) {
            byte[] head = in.readNBytes(HASHED_BYTES);
            String hash;
            if (checksum == Checksum.LEGACY_HEAD) {
                try {
                    hash = LEGACY_HASH + HexFormat.of().formatHex(MessageDigest
                            .getInstance("SHA-256").digest(head), 0, 16);
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                CRC32C crc = new CRC32C();
                crc.update(head);
                hash = checksum.label + HexFormat.of().toHexDigits((int) crc.getValue());
            }
            return identity(input, Files.size(input), null, null, hash);
        }
    }

    /**
     * {@code input}'s absolute path as its identity's line shows it: a line break in a name
     * written as {@code \n} or {@code \r}, since the line ended there, and the identity was
     * one no run could read, so the run could never be resumed.
     */
    private static String shown(Path input) {
        return input.toAbsolutePath().normalize().toString().replace("\n", "\\n")
                .replace("\r", "\\r");
    }

    /** An identity's line: path first, checksum last; lines and format where known. */
    private static String identity(Path input, long size, Long lines,
                                   InputReader.Format format, String hash) {
        return "path=" + shown(input) + " size=" + size
                + (lines == null ? "" : " lines=" + lines)
                + (format == null ? "" : " format=" + format.cliName()) + " " + hash;
    }

    /** What one read of an input's first bytes found: how many, their checksum and lines. */
    private record Measured(long bytes, String hash, long lines) {
        Extent extent() {
            return new Extent(bytes, lines);
        }
    }

    /**
     * Reads at most the first {@code limit} bytes of {@code input}, with their CRC-32C and
     * lines. The lines are counted on every run, as the run's extent needs them: a sum of the
     * newlines added 0.12 s to the checksum's 0.16 s on a list of 500 MB (10M lines).
     */
    private static Measured measure(Path input, long limit) throws IOException {
        try (InputStream in = Files.newInputStream(input)) {
            CRC32C crc = new CRC32C();
            byte[] buffer = new byte[HASHED_BYTES];
            long read = 0;
            long newlines = 0;
            byte last = '\n';
            int n;
            while (read < limit && (n = in.read(buffer, 0,
                    (int) Math.min(buffer.length, limit - read))) > 0) {
                crc.update(buffer, 0, n);
                read += n;
                newlines += newlines(buffer, n);
                last = buffer[n - 1];
            }
            return new Measured(read, Checksum.WHOLE.label
                    + HexFormat.of().toHexDigits((int) crc.getValue()),
                    newlines + (last == '\n' ? 0 : 1));
        }
    }

    /**
     * The {@code '\n'} bytes among the first {@code n} of {@code buffer}: every line ends in
     * one, as the input's reader reads it, a CRLF line too. Summed rather than counted under
     * an if: on a list of 500 MB (10M lines) the sum added 0.12 s to the checksum's 0.16 s,
     * the if 0.5 s.
     */
    static long newlines(byte[] buffer, int n) {
        long count = 0;
        for (int i = 0; i < n; i++) {
            count += buffer[i] == '\n' ? 1 : 0;
        }
        return count;
    }

    /**
     * Writes {@code text} to {@code file} whole or not at all: a kill or a full disk midway
     * left an empty identity file, and --resume refused a journal it could have gone on from.
     */
    private static void replace(Path file, String text) throws IOException {
        // A name of its own, made new: a fixed one could be a file of the user's (the input).
        Path part = TempFiles.create(file.toAbsolutePath().getParent(),
                file.getFileName() + ".", ".part");
        try {
            Files.writeString(part, text);
            Files.move(part, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);  // left only when the write or the move failed
        }
    }
}
