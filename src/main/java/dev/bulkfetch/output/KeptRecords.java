package dev.bulkfetch.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The records a journal already holds, read back for {@code --resume}: the seqs done, how many
 * records there are and how many of them were not ok, and where the last complete line ends.
 * Reading only: the {@link Journal} cuts a torn tail itself, under its lock.
 *
 * @param done the seqs that have their record
 * @param kept the records read
 * @param failures the records of items that were not ok
 * @param end the byte after the last complete record's newline: what follows is torn
 */
record KeptRecords(DoneSet done, long kept, long failures, long end) {

    // Made when a resume first reads records back, not by every run with -o (which opens a
    // journal): a mapper costs tens of milliseconds of a short run's start.
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Reads the complete records of the journal {@code file} through its locked
     * {@code channel}, and notes every seq done. Works on raw bytes: a torn line may end
     * inside a multi-byte character, and the cut must fall on the byte after the last
     * complete line's newline.
     *
     * @throws Journal.CannotResume when a line that is no record has records after it
     */
    static KeptRecords read(Path file, FileChannel channel) throws IOException {
        DoneSet done = new DoneSet();
        long validEnd = 0;
        long kept = 0;
        long failed = 0;
        long lineNumber = 0;
        // The first line that is no record. Cut only when no record follows it: a kill leaves
        // a torn line last, and a bad line mid-file (an edit, a block lost to a power cut) cut
        // there took every good record after it along, to be fetched again.
        long badLine = 0;
        long recordsAfterBad = 0;
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
                JsonNode record;
                if (carried.size() == 0) {
                    record = parse(block, lineStart, i - lineStart);
                } else {
                    carried.write(block, lineStart, i - lineStart);
                    byte[] line = carried.toByteArray();
                    carried.reset();
                    record = parse(line, 0, line.length);
                }
                lineStart = i + 1;
                lineNumber++;
                Long seq = seqOf(record);
                if (seq == null || badLine > 0) {
                    if (badLine == 0) {
                        badLine = lineNumber;
                    } else if (seq != null) {
                        recordsAfterBad++;
                    }
                    continue;
                }
                done.add(Math.toIntExact(seq));
                kept++;
                if (!record.path("ok").asBoolean(true)) {
                    failed++;
                }
                validEnd = blockStart + i + 1;
            }
            carried.write(block, lineStart, n - lineStart);
            blockStart += n;
        }
        if (recordsAfterBad > 0) {
            throw new Journal.CannotResume("cannot resume " + file + ": its line "
                    + badLine + " is not a record (no seq from 1 to " + Integer.MAX_VALUE
                    + " can be read from it), and "
                    + recordsAfterBad + (recordsAfterBad == 1 ? " record follows" : " records"
                    + " follow") + " it; delete or mend that line (its item is then fetched"
                    + " again), then resume", null);
        }
        return new KeptRecords(done.freeze(), kept, failed, validEnd);
    }

    private static JsonNode parse(byte[] bytes, int offset, int length) {
        try {
            return MAPPER.readTree(bytes, offset, length);
        } catch (IOException e) {
            return null;
        }
    }

    private static Long seqOf(JsonNode record) {
        JsonNode seq = record == null ? null : record.get("seq");
        // Past an int no input line is, and the done-set holds ints (a hand-edited 3000000000
        // made --resume crash with an ArithmeticException).
        return seq != null && seq.canConvertToLong() && seq.asLong() >= 1
                && seq.asLong() <= Integer.MAX_VALUE ? seq.asLong() : null;
    }
}
