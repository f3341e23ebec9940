package dev.bulkfetch.output;

import dev.bulkfetch.input.InputReader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The records a journal already holds, read back for {@code --resume}: the seqs done, how many
 * records there are and how many of them were not ok, and where the last complete line ends.
 * Reading only: the {@link Journal} cuts a torn tail itself, under its lock.
 *
 * <p>The run writes one record an item, so a journal that says otherwise was changed by hand
 * (an edit, a {@code cat >>}), and is refused by the line that says it, as a line that is no
 * record is: a second record of a seq (kept, both were counted as done, and the file ended with
 * more records than items), or a record of a seq past the input's last line, or of a blank
 * line or a comment of it (no item of the input has such a seq). The lines of a repeat, and of
 * a record of a line that is no item, are found by reading the file again, only then: the
 * done-set notes no line of any seq, to stay a bit a record.
 *
 * @param done the seqs that have their record
 * @param kept the records read
 * @param failures the records of items that were not ok
 * @param end the byte after the last complete record's newline: what follows is torn
 * @param bodyFolders the folders the records' {@code body_file}s are in, as written: where
 *     the run saved its bodies
 * @param okDone the seqs of the records of items that were ok: {@code done} once
 *     {@link #keepOk} has dropped the others
 * @param failedLines the journal's line numbers of the records of items not ok, which
 *     {@link #keepOk} drops without reading a record twice
 */
record KeptRecords(DoneSet done, long kept, long failures, long end, Set<Path> bodyFolders,
                   DoneSet okDone, BitSet failedLines) {

    /** No records: a new run's journal, or a stream's. */
    static final KeptRecords NONE = new KeptRecords(new DoneSet().freeze(), 0, 0, 0, Set.of(),
            new DoneSet().freeze(), new BitSet());

    // A run saves to one folder, a resume of it perhaps to another: more than this many is a
    // file edited by hand, whose further folders a resume need not know of (it then leaves
    // the bodies there as they are, rather than take one for its own).
    private static final int MAX_BODY_FOLDERS = 16;

    /**
     * Reads the complete records of the journal {@code file} through its locked
     * {@code channel}, and notes every seq done. Works on raw bytes: a torn line may end
     * inside a multi-byte character, and the cut must fall on the byte after the last
     * complete line's newline.
     *
     * @param input the input the records are of, read again for its lines that are no items,
     *     and named in a refusal (null: stdin, which has no records to read)
     * @param format how {@code input} is read, which says which of its lines are items
     * @param extent how much of the input the records are of: its lines, past which no seq
     *     is an item's, and the bytes they are in
     * @throws Journal.CannotResume when a line that is no record has records after it, when
     *     two records have one seq, or when a record's seq is past the extent's lines or is
     *     that of a line of {@code input} that is no item
     */
    static KeptRecords read(Path file, FileChannel channel, Path input,
                            InputReader.Format format, InputIdentity.Extent extent)
            throws IOException {
        Scan scan = new Scan(extent.lines());
        eachLine(channel, scan::line);
        DoneSet done = scan.done.freeze();
        Refusal refusal = Refusal.earliest(scan.badLineRefusal(file),
                scan.beyondRefusal(file, input, extent.bytes()),
                repeatRefusal(file, channel, scan, done),
                skippedLineRefusal(file, channel, input, format, extent.bytes(), done));
        if (refusal != null) {
            throw new Journal.CannotResume(refusal.message(), null);
        }
        return new KeptRecords(done, scan.kept, scan.failed, scan.validEnd,
                Set.copyOf(scan.bodyFolders), scan.okDone.freeze(), scan.failedLines);
    }

    /**
     * Copies the complete records of the journal {@code from}, read back already as
     * {@code records} and found sound, to {@code to}, but those of items that were not ok: the
     * journal of a resume that fetches them again. Byte for byte, the records between two
     * failed ones in one copy, found by their line numbers: no record is parsed again (that
     * second read took as long as the first, 2.3 s of a journal of a million records).
     *
     * @param end the byte after the last complete record's newline, as {@link #read} found
     * @return the records copied, their seqs done, none failed
     */
    static KeptRecords keepOk(FileChannel from, long end, KeptRecords records, FileChannel to)
            throws IOException {
        // The start of the line being read, and of the bytes not yet copied: each failed
        // record copies the run before it. A copy at a position leaves the read's own alone.
        long[] lineStart = new long[1];
        long[] copied = new long[1];
        eachRawLine(from, (number, bytes, offset, length, lineEnd) -> {
            if (lineEnd > end) {
                return false;
            }
            if (records.failedLines().get(Math.toIntExact(number))) {
                copy(from, copied[0], lineStart[0], to);
                copied[0] = lineEnd;
            }
            lineStart[0] = lineEnd;
            return true;
        });
        copy(from, copied[0], end, to);
        return new KeptRecords(records.okDone(), records.kept() - records.failures(), 0,
                to.size(), records.bodyFolders(), records.okDone(), new BitSet());
    }

    /** Bytes {@code start} to {@code end} of {@code from} appended to {@code to}. */
    private static void copy(FileChannel from, long start, long end, FileChannel to)
            throws IOException {
        for (long at = start; at < end; ) {
            long moved = from.transferTo(at, end - at, to);
            if (moved == 0) {
                throw new EOFException("the records end at byte " + at + ", not " + end);
            }
            at += moved;
        }
    }

    /** Why a resume is refused, and the journal's line it names: the earliest is told. */
    private record Refusal(long line, String message) {
        static Refusal earliest(Refusal... refusals) {
            Refusal first = null;
            for (Refusal refusal : refusals) {
                if (refusal != null && (first == null || refusal.line() < first.line())) {
                    first = refusal;
                }
            }
            return first;
        }
    }

    /** The state of one read of a journal, line by line. */
    private static final class Scan {
        private final long inputLines;
        private final DoneSet done = new DoneSet();
        private long validEnd;
        private long kept;
        private long failed;
        // The first line that is no record. Cut only when no record follows it: a kill leaves
        // a torn line last, and a bad line mid-file (an edit, a block lost to a power cut) cut
        // there took every good record after it along, to be fetched again.
        private long badLine;
        private long recordsAfterBad;
        // The first record of a seq past the input's last line, and how many there are.
        private long beyondLine;
        private long beyondSeq;
        private long beyond;
        // The first seq the done-set found repeated as it was added (it cannot tell a repeat
        // among its outliers until frozen).
        private long repeatedSeq;
        private final Set<Path> bodyFolders = new HashSet<>();
        private final DoneSet okDone = new DoneSet();
        private final BitSet failedLines = new BitSet();

        Scan(long inputLines) {
            this.inputLines = inputLines;
        }

        boolean line(long number, JournalLine record, long end) {
            Long seq = record.seq();
            if (seq == null || badLine > 0) {
                if (badLine == 0) {
                    badLine = number;
                } else if (seq != null) {
                    recordsAfterBad++;
                }
                return true;
            }
            if (seq > inputLines) {
                if (beyond++ == 0) {
                    beyondLine = number;
                    beyondSeq = seq;
                }
            } else if (!done.add(Math.toIntExact(seq)) && repeatedSeq == 0) {
                repeatedSeq = seq;
            }
            kept++;
            if (!record.ok()) {
                failed++;
                failedLines.set(Math.toIntExact(number));
            } else if (seq <= inputLines) {
                okDone.add(Math.toIntExact(seq));
            }
            noteBodyFolder(record.bodyFile());
            validEnd = end;
            return true;
        }

        private void noteBodyFolder(String bodyFile) {
            if (bodyFile == null || bodyFolders.size() >= MAX_BODY_FOLDERS) {
                return;
            }
            try {
                Path folder = Path.of(bodyFile).getParent();
                bodyFolders.add(folder == null ? Path.of("") : folder);
            } catch (java.nio.file.InvalidPathException e) {
                // An edited name no file can have names no folder either.
            }
        }

        Refusal badLineRefusal(Path file) {
            return recordsAfterBad == 0 ? null : new Refusal(badLine, "cannot resume " + file
                    + ": its line " + badLine + " is not a record (no seq from 1 to "
                    + Integer.MAX_VALUE + " can be read from it), and " + recordsAfterBad
                    + (recordsAfterBad == 1 ? " record follows" : " records follow")
                    + " it; delete or mend that line (its item is then fetched again), then"
                    + " resume");
        }

        Refusal beyondRefusal(Path file, Path input, long inputBytes) throws IOException {
            return beyond == 0 ? null : new Refusal(beyondLine, "cannot resume " + file
                    + ": its line " + beyondLine + " is a record of seq " + beyondSeq
                    + ", but the input " + input + " has " + inputLines
                    + (inputLines == 1 ? " line" : " lines")
                    + (Files.size(input) <= inputBytes ? "" : " in its first " + inputBytes
                    + " bytes, which the records are of (it grew past them since)")
                    + " (an item's seq is its line number, blank lines and comments counted),"
                    + " so no item of it has that seq" + (beyond == 1 ? ""
                    : " (" + beyond + " records in all are past its last line)")
                    + "; delete that line (a record of another input?), then resume");
        }
    }

    /**
     * The refusal of the earliest line found to repeat a seq, or null when none does. Of the
     * repeat found as it was added and the smallest one among the outliers, whichever second
     * record comes first; the file is read again to find their lines.
     */
    private static Refusal repeatRefusal(Path file, FileChannel channel, Scan scan,
                                         DoneSet done) throws IOException {
        if (done.repeats() == 0) {
            return null;
        }
        long[] seqs = {scan.repeatedSeq, done.repeatedOutlier()};
        long seq = 0;
        long[] lines = null;
        for (long candidate : seqs) {
            if (candidate > 0) {
                long[] found = firstTwoLines(channel, candidate);
                if (lines == null || found[1] < lines[1]) {
                    seq = candidate;
                    lines = found;
                }
            }
        }
        long repeats = done.repeats();
        return new Refusal(lines[1], "cannot resume " + file + ": its line " + lines[1]
                + " is a second record of seq " + seq + " (line " + lines[0] + " holds the"
                + " first), and each item has one record" + (repeats == 1 ? ""
                : " (" + repeats + " lines in all repeat the seq of a line before them)")
                + "; delete one of the two (its item keeps the other)"
                + (repeats == 1 ? "" : ", and so for each") + ", then resume");
    }

    /**
     * The refusal of the earliest line that is a record of a line of the input that is no
     * item (blank, or a comment), or null when none is. The input is read for them once more,
     * here, where the seqs done are known: the read that counts its lines, as its identity is
     * taken, comes before the journal is read. The journal is read again only on a refusal.
     */
    private static Refusal skippedLineRefusal(Path file, FileChannel channel, Path input,
                                              InputReader.Format format, long inputBytes,
                                              DoneSet done) throws IOException {
        if (input == null || done.size() == 0) {
            return null;
        }
        // Held as the done-set holds seqs: at most as many as it holds.
        DoneSet recorded = new DoneSet();
        InputReader.eachSkippedLine(input, format, inputBytes, line -> {
            if (done.contains(line)) {
                recorded.add(Math.toIntExact(line));
            }
        });
        long lines = recorded.freeze().size();
        if (lines == 0) {
            return null;
        }
        long[] first = new long[2];  // the journal's line, and its seq
        eachLine(channel, (number, record, end) -> {
            Long seq = record.seq();
            if (seq != null && recorded.contains(seq)) {
                first[0] = number;
                first[1] = seq;
            }
            return first[0] == 0;
        });
        return new Refusal(first[0], "cannot resume " + file + ": its line " + first[0]
                + " is a record of seq " + first[1] + ", but line " + first[1] + " of the input "
                + input + " is blank or a comment, which is no item (an item's seq is its line"
                + " number, blank lines and comments counted), so no item of it has that seq"
                + (lines == 1 ? "" : " (" + lines + " blank or comment lines of it have records)")
                + "; delete that line (a record of another input?), then resume");
    }

    /** The numbers of the first two lines that are records of {@code seq}. */
    private static long[] firstTwoLines(FileChannel channel, long seq) throws IOException {
        long[] lines = new long[2];  // numbers from 1: 0 is none yet
        eachLine(channel, (number, record, end) -> {
            if (Objects.equals(record.seq(), seq)) {
                lines[lines[0] == 0 ? 0 : 1] = number;
            }
            return lines[1] == 0;
        });
        return lines;
    }

    /** What is done with each complete line of a journal, as bytes. */
    private interface RawLineVisitor {
        /**
         * Takes line {@code number}, bytes {@code offset} to {@code offset + length} of
         * {@code bytes} without its newline, which is the byte before {@code end}; returns
         * false to read no more.
         */
        boolean line(long number, byte[] bytes, int offset, int length, long end)
                throws IOException;
    }

    /** What is done with each complete line of a journal. */
    private interface LineVisitor {
        /**
         * Takes line {@code number}, as a resume reads it, whose newline is the byte before
         * {@code end}; returns false to read no more.
         */
        boolean line(long number, JournalLine record, long end) throws IOException;
    }

    /**
     * Hands each complete line of the journal, read through its locked {@code channel} from
     * the start, to {@code visitor}; a torn last line, with no newline, is not one.
     */
    private static void eachLine(FileChannel channel, LineVisitor visitor) throws IOException {
        eachRawLine(channel, (number, bytes, offset, length, end) ->
                visitor.line(number, JournalLine.of(bytes, offset, length), end));
    }

    /** As {@link #eachLine}, each line as its bytes. */
    private static void eachRawLine(FileChannel channel, RawLineVisitor visitor)
            throws IOException {
        long lineNumber = 0;
        // Read in blocks and cut at newlines: byte by byte through a buffered stream (a lock
        // per byte) took most of the 10 s a resume spent on a journal of 1M records.
        byte[] block = new byte[1 << 16];
        ByteArrayOutputStream carried = new ByteArrayOutputStream();
        long blockStart = 0;
        // Through the locked channel, and not closed here: closing would release the lock.
        InputStream in = Channels.newInputStream(channel.position(0));
        int n;
        while ((n = in.read(block)) > 0) {
            int lineStart = 0;
            for (int i = 0; i < n; i++) {
                if (block[i] != '\n') {
                    continue;
                }
                lineNumber++;
                boolean more;
                if (carried.size() == 0) {
                    more = visitor.line(lineNumber, block, lineStart, i - lineStart,
                            blockStart + i + 1);
                } else {
                    carried.write(block, lineStart, i - lineStart);
                    byte[] line = carried.toByteArray();
                    carried.reset();
                    more = visitor.line(lineNumber, line, 0, line.length, blockStart + i + 1);
                }
                lineStart = i + 1;
                if (!more) {
                    return;
                }
            }
            carried.write(block, lineStart, n - lineStart);
            blockStart += n;
        }
    }
}
