package dev.bulkfetch.output;

import static dev.bulkfetch.input.InputReader.Format.JSONL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    @TempDir
    Path dir;

    /** A URL list of {@code lines} lines: items 1 to {@code lines}, for records to be of. */
    private Path list(int lines) throws java.io.IOException {
        StringBuilder text = new StringBuilder();
        for (int seq = 1; seq <= lines; seq++) {
            text.append("http://h.test/").append(seq).append('\n');
        }
        return Files.writeString(dir.resolve("in.txt"), text);
    }

    /**
     * After an exploratory test: {@code -o /dev/fd/3 --resume 3>>out.jsonl} was refused as
     * "not a regular file", though the descriptor stands for one. It still cannot resume (a
     * descriptor is written as a stream, with no identity of its input beside it), but the
     * refusal says why, and names the file a resumable run writes to.
     */
    @Test
    void resumingFromADescriptorOfARegularFileIsRefusedNamingTheFile() throws Exception {
        Path input = list(1);
        Path out = dir.resolve("out.jsonl");
        try (var held = Files.newOutputStream(out)) {
            Path descriptor = descriptorOf(out);

            assertThatThrownBy(() -> Journal.open(descriptor, input, true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot resume from " + descriptor + ": it names an open file "
                            + "descriptor, written as a stream with nothing kept beside it to "
                            + "resume from; a run that is to be resumed writes to the file by "
                            + "its own path: -o " + out.toRealPath());
        }
    }

    /**
     * As {@code /proc/self/fd/N}, so {@code /proc/PID/fd/N} with the process's own id: it was
     * taken for the file it stands for, which a new run emptied, the shell's own lines in it
     * lost, and wrote an identity beside.
     */
    @Test
    void aDescriptorNamedByTheProcesssOwnIdIsAStreamToo() throws Exception {
        Path input = list(1);
        Path out = Files.writeString(dir.resolve("out.jsonl"), "the shell's line\n");
        try (var held = Files.newOutputStream(out, java.nio.file.StandardOpenOption.APPEND)) {
            Path descriptor = Path.of("/proc/" + ProcessHandle.current().pid())
                    .resolve(Path.of("/proc/self").relativize(descriptorOf(out)));

            try (Journal journal = Journal.open(descriptor, input, false)) {
                assertThat(journal.resumable()).isFalse();
            }
            assertThat(out).hasContent("the shell's line");
            assertThat(Journal.identityFile(out)).doesNotExist();
            assertThatThrownBy(() -> Journal.open(descriptor, input, true))
                    .hasMessage("cannot resume from " + descriptor + ": it names an open file "
                            + "descriptor, written as a stream with nothing kept beside it to "
                            + "resume from; a run that is to be resumed writes to the file by "
                            + "its own path: -o " + out.toRealPath());
        }
    }

    /** This process's /proc/self/fd name of a file it holds open. */
    private static Path descriptorOf(Path file) throws java.io.IOException {
        Path real = file.toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (java.io.IOException e) {
                    return false;  // one closed meanwhile (the listing's own, say)
                }
            }).findFirst().orElseThrow();
        }
    }

    @Test
    void aTornLineEndingInsideAMultiByteCharacterIsCutAtTheLastCompleteRecord()
            throws Exception {
        Path input = list(3);
        Path out = dir.resolve("out.jsonl");
        Journal.open(out, input, false).close();
        String complete = "{\"seq\":1,\"ok\":true,\"body\":\"caf\u00e9 \u2603\"}\n"
                + "{\"seq\":2,\"ok\":false}\n";
        byte[] torn = "{\"seq\":3,\"body\":\"\u2603".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(complete.getBytes(StandardCharsets.UTF_8));
        file.write(torn, 0, torn.length - 1);
        Files.write(out, file.toByteArray());

        Journal journal = Journal.open(out, input, true);
        journal.close();

        assertThat(journal.kept()).isEqualTo(2);
        assertThat(journal.keptFailures()).isEqualTo(1);
        assertThat(journal.isDone(1)).isTrue();
        assertThat(journal.isDone(3)).isFalse();
        assertThat(Files.readString(out)).isEqualTo(complete);
    }

    /**
     * Records that cross the 64 KiB blocks the journal is read in, with a multi-byte character
     * split between two blocks and a torn last line: each complete one is kept, whole.
     */
    @Test
    void recordsAcrossReadBlocksAreEachKeptAndATornTailIsCut() throws Exception {
        Path input = list(3_001);
        Path out = dir.resolve("out.jsonl");
        Journal.open(out, input, false).close();
        StringBuilder complete = new StringBuilder();
        for (int seq = 1; seq <= 3_000; seq++) {
            // 1 to 97 characters of padding: line lengths vary, so boundaries fall anywhere.
            complete.append("{\"seq\":").append(seq).append(",\"ok\":").append(seq % 7 != 0)
                    .append(",\"pad\":\"").append("\u2603".repeat(1 + seq % 97)).append("\"}\n");
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(complete.toString().getBytes(StandardCharsets.UTF_8));
        file.writeBytes("{\"seq\":3001,\"ok\":tr".getBytes(StandardCharsets.UTF_8));
        Files.write(out, file.toByteArray());

        Journal journal = Journal.open(out, input, true);
        journal.close();

        assertThat(journal.kept()).isEqualTo(3_000);
        assertThat(journal.keptFailures()).isEqualTo(3_000 / 7);
        assertThat(journal.isDone(1)).isTrue();
        assertThat(journal.isDone(3_000)).isTrue();
        assertThat(journal.isDone(3_001)).isFalse();
        assertThat(journal.tornBytes()).isEqualTo("{\"seq\":3001,\"ok\":tr".length());
        assertThat(Files.readString(out)).isEqualTo(complete.toString());
    }

    /**
     * A line mid-file that is no record (NUL bytes after a power cut, a stray edit) was taken
     * for a torn last line: the 1,400 good records after it were cut off and fetched again.
     * Resume now refuses, naming the line, and leaves the file as it was; bad lines with no
     * record after them are a torn tail, and are cut.
     */
    @Test
    void aBadLineWithRecordsAfterItIsRefusedByNameAndOnlyABadTailIsCut() throws Exception {
        Path input = list(5);
        Path out = dir.resolve("out.jsonl");
        Journal.open(out, input, false).close();
        String before = "{\"seq\":1,\"ok\":true}\n{\"seq\":2,\"ok\":true}\n";
        String after = "{\"seq\":4,\"ok\":true}\n{\"seq\":5,\"ok\":false}\n";
        String damaged = before + "\0\0\0\0\n" + after;
        Files.writeString(out, damaged);

        assertThatThrownBy(() -> Journal.open(out, input, true))
                .isInstanceOf(Journal.CannotResume.class)
                .hasMessageContaining("its line 3 is not a record")
                .hasMessageContaining("2 records follow it");
        assertThat(Files.readString(out)).isEqualTo(damaged);

        String badTail = "not json\n{\"seq\":";
        Files.writeString(out, before + after + badTail);
        Journal journal = Journal.open(out, input, true);
        journal.close();
        assertThat(journal.kept()).isEqualTo(4);
        assertThat(journal.tornBytes()).isEqualTo(badTail.length());
        assertThat(Files.readString(out)).isEqualTo(before + after);
    }

    /**
     * After review: a record whose seq no input line can have (3000000000, an edit) made
     * --resume crash with an ArithmeticException; it is a line that is no record now.
     */
    @Test
    void aRecordWithASeqBeyondAnyInputLineIsNoRecord() throws Exception {
        Path input = Files.writeString(dir.resolve("in.txt"), "http://h.test/1\n");
        Path out = dir.resolve("out.jsonl");
        Journal.open(out, input, false).close();
        Files.writeString(out, "{\"seq\":3000000000,\"ok\":true}\n{\"seq\":1,\"ok\":true}\n");

        assertThatThrownBy(() -> Journal.open(out, input, true))
                .isInstanceOf(Journal.CannotResume.class)
                .hasMessageContaining("its line 1 is not a record (no seq from 1 to 2147483647");
    }

    /**
     * After review: two records of one seq were both kept, and counted, as if each were an
     * item. Resume refuses now, naming the line that repeats a seq, the seq, and the line of
     * its first record, and leaves the file as it was.
     */
    @Test
    void twoRecordsOfOneSeqAreRefusedNamingTheLineTheSeqAndItsFirstRecord() throws Exception {
        Path input = Files.writeString(dir.resolve("in.txt"),
                "http://h.test/1\nhttp://h.test/2\nhttp://h.test/3\nhttp://h.test/4\n");
        Path out = dir.resolve("out.jsonl");
        Journal.open(out, input, false).close();
        String repeated = "{\"seq\":1,\"ok\":true}\n{\"seq\":2,\"ok\":true}\n"
                + "{\"seq\":3,\"ok\":true}\n{\"seq\":2,\"ok\":false}\n"
                + "{\"seq\":4,\"ok\":true}\n{\"seq\":1,\"ok\":true}\n";
        Files.writeString(out, repeated);

        assertThatThrownBy(() -> Journal.open(out, input, true))
                .isInstanceOf(Journal.CannotResume.class)
                .hasMessageContaining("its line 4 is a second record of seq 2")
                .hasMessageContaining("line 2 holds the first")
                .hasMessageContaining("2 lines in all repeat");
        assertThat(Files.readString(out)).isEqualTo(repeated);
    }

    /**
     * A seq past a million, in a journal of few records, is held apart from the bit set (see
     * DoneSet), in a few bytes: such a journal resumes, and a second record of that seq is
     * refused all the same, by its line.
     */
    @Test
    void aRepeatedSeqBeyondTheBitSetIsRefusedByItsLineToo() throws Exception {
        // 1,200,000 lines, each an item (a rejected one): seqs up to 1,200,000 are the input's.
        Path input = Files.writeString(dir.resolve("in.txt"), "h\n".repeat(1_200_000));
        Path out = dir.resolve("out.jsonl");
        Journal.open(out, input, false).close();
        Files.writeString(out, "{\"seq\":1100000,\"ok\":true}\n{\"seq\":1,\"ok\":true}\n");
        try (Journal journal = Journal.open(out, input, true)) {
            assertThat(journal.kept()).isEqualTo(2);
            assertThat(journal.isDone(1_100_000)).isTrue();
            assertThat(journal.isDone(1_099_999)).isFalse();
            // The floor's bits and the outlier, below the 137,500 bytes of bits to reach it:
            // so the repeat below is among the outliers, which only freeze() can find.
            assertThat(journal.doneFootprintBytes())
                    .isLessThanOrEqualTo(DoneSet.DENSE_FLOOR / 8 + 16L * 2);
        }

        String repeated = "{\"seq\":1100000,\"ok\":true}\n{\"seq\":1,\"ok\":true}\n"
                + "{\"seq\":1150000,\"ok\":true}\n{\"seq\":1100000,\"ok\":true}\n";
        Files.writeString(out, repeated);

        assertThatThrownBy(() -> Journal.open(out, input, true))
                .isInstanceOf(Journal.CannotResume.class)
                .hasMessageContaining("its line 4 is a second record of seq 1100000")
                .hasMessageContaining("line 1 holds the first");
        assertThat(Files.readString(out)).isEqualTo(repeated);
    }

    /**
     * An item's seq is its line number, blank lines and comments counted, and a last line
     * without a newline is a line: its record is kept. A record of a seq past the last line
     * can be no item's, and resume refuses it by its line, with its seq and the input's lines.
     */
    @Test
    void aRecordOfASeqPastTheInputsLastLineIsRefusedByItsLine() throws Exception {
        // Four lines, CRLF-ended, the last with no line end: items 3 and 4.
        Path input = Files.writeString(dir.resolve("in.txt"),
                "# the list\r\n\r\nhttp://h.test/3\r\nhttp://h.test/4");
        Path out = dir.resolve("out.jsonl");
        Journal.open(out, input, false).close();
        Files.writeString(out, "{\"seq\":4,\"ok\":true}\n{\"seq\":3,\"ok\":true}\n");
        try (Journal journal = Journal.open(out, input, true)) {
            assertThat(journal.kept()).isEqualTo(2);
        }

        String beyond = "{\"seq\":3,\"ok\":true}\n{\"seq\":5,\"ok\":true}\n"
                + "{\"seq\":4,\"ok\":true}\n";
        Files.writeString(out, beyond);
        assertThatThrownBy(() -> Journal.open(out, input, true))
                .isInstanceOf(Journal.CannotResume.class)
                .hasMessageContaining("its line 2 is a record of seq 5")
                .hasMessageContaining("the input " + input + " has 4 lines");
        assertThat(Files.readString(out)).isEqualTo(beyond);
    }

    /**
     * A record of a line that is no item (blank, or a comment, as the input's reader reads it:
     * after a byte order mark, indented, blank but for a tab, CRLF-ended) is another input's,
     * and refused by its line, as a record past the last line is; an item's record is kept.
     */
    @Test
    void aRecordOfABlankOrCommentLineIsRefusedByItsLine() throws Exception {
        Path input = Files.writeString(dir.resolve("in.txt"),
                "\uFEFF# the list\r\n\t\r\n  # a comment\r\nhttp://h.test/4\r\n");
        Path out = dir.resolve("out.jsonl");
        Journal.open(out, input, false).close();
        Files.writeString(out, "{\"seq\":4,\"ok\":true}\n");
        try (Journal journal = Journal.open(out, input, true)) {
            assertThat(journal.kept()).isEqualTo(1);
        }

        for (long seq = 1; seq <= 3; seq++) {
            String records = "{\"seq\":4,\"ok\":true}\n{\"seq\":" + seq + ",\"ok\":true}\n";
            Files.writeString(out, records);
            assertThatThrownBy(() -> Journal.open(out, input, true))
                    .isInstanceOf(Journal.CannotResume.class)
                    .hasMessageContaining("its line 2 is a record of seq " + seq)
                    .hasMessageContaining("line " + seq + " of the input " + input
                            + " is blank or a comment");
            assertThat(Files.readString(out)).isEqualTo(records);
        }
    }

    /**
     * A '#' line longer than a URL list's 8 KiB is an item there, an input error's (a line too
     * long), and its record is kept; in JSON Lines, whose lines may be 1 MiB, it is a comment,
     * and its record is refused. The input's format is told, or taken from its name.
     */
    @Test
    void aLongCommentIsAnItemOfAUrlListAndACommentOfJsonLines() throws Exception {
        String text = "#" + "x".repeat(9_000) + "\n{\"url\":\"http://h.test/2\"}\n";
        Path list = Files.writeString(dir.resolve("in.txt"), text);
        Path specs = Files.writeString(dir.resolve("in.jsonl"), text);
        String records = "{\"seq\":2,\"ok\":true}\n{\"seq\":1,\"ok\":false}\n";
        for (Path input : new Path[] {list, specs}) {
            Journal.open(dir.resolve(input.getFileName() + ".out"), input, false).close();
            Files.writeString(dir.resolve(input.getFileName() + ".out"), records);
        }
        Path listOut = dir.resolve("in.txt.out");
        Path listAsSpecsOut = dir.resolve("in.txt.specs.out");
        Journal.open(listAsSpecsOut, list, JSONL, false, false).close();
        Files.writeString(listAsSpecsOut, records);

        try (Journal journal = Journal.open(listOut, list, true)) {
            assertThat(journal.kept()).isEqualTo(2);
        }
        assertThatThrownBy(() -> Journal.open(dir.resolve("in.jsonl.out"), specs, true))
                .hasMessageContaining("its line 2 is a record of seq 1");
        assertThatThrownBy(() -> Journal.open(listAsSpecsOut, list, JSONL, true, false))
                .hasMessageContaining("its line 2 is a record of seq 1");
    }

    /**
     * After review: a hand-edited seq up to 2^31-1 was a record, and the done-set, a bit set,
     * grew to reach it: 256 MB of heap for one line, and an OutOfMemoryError in a small heap.
     * Such a seq is past the last line of any list short enough to be resumed in such a heap:
     * in a JVM of 64 MiB, a journal with seq 2,000,000,000 for a list of 2 lines is refused by
     * its line, as any record past the input's end is, without filling the heap.
     */
    @Test
    void aSeqOfTwoBillionForAShortListIsRefusedInASmallHeap() throws Exception {
        Path input = Files.writeString(dir.resolve("in.txt"),
                "http://127.0.0.1:9/1\nhttp://127.0.0.1:9/2\n");
        Path out = dir.resolve("out.jsonl");
        Journal.open(out, input, false).close();
        String records = "{\"seq\":1,\"ok\":true}\n{\"seq\":2000000000,\"ok\":true}\n"
                + "{\"seq\":2,\"ok\":true}\n";
        Files.writeString(out, records);
        Path err = dir.resolve("err.txt");

        Process child = dev.bulkfetch.testing.Child.start(err, java.util.List.of("-Xmx64m",
                "-XX:+ExitOnOutOfMemoryError"), "fetch", input.toString(), "-o",
                out.toString(), "--resume", "-q");
        try {
            assertThat(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as(Files.readString(err)).isEqualTo(2);
        assertThat(Files.readString(err))
                .contains("its line 2 is a record of seq 2000000000").contains("has 2 lines");
        assertThat(Files.readString(out)).isEqualTo(records);
    }

    /**
     * Within one JVM too (a library user's two runs): the file is its journal's alone. After
     * review: the refused second open closed a descriptor of the file, which on Linux released
     * the first journal's lock, so another process could then take the file.
     */
    @Test
    void aJournalOpenElsewhereIsInUseUntilClosedAndARefusalLeavesItsLock() throws Exception {
        Path input = Files.writeString(dir.resolve("in.txt"), "http://h.test/1\n");
        Path out = dir.resolve("out.jsonl");
        Journal first = Journal.open(out, input, false);
        try (var stream = first.append()) {
            stream.write("{\"seq\":1,\"ok\":true}\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThatThrownBy(() -> Journal.open(out, input, true))
                .isInstanceOf(Journal.InUse.class).hasMessageContaining("another run");
        assertThatThrownBy(() -> Journal.open(dir.resolve(".").resolve("out.jsonl"), input,
                false)).isInstanceOf(Journal.InUse.class);

        Path err = dir.resolve("err.txt");
        Process other = dev.bulkfetch.testing.Child.start(err, java.util.List.of(), "fetch",
                input.toString(), "-o", out.toString(), "--resume", "-q");
        try {
            assertThat(other.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            other.destroyForcibly();
        }
        assertThat(other.exitValue()).as(Files.readString(err)).isEqualTo(2);
        assertThat(Files.readString(err)).contains("is being written by another run");

        first.close();
        // Closed, the file is the next run's.
        try (Journal second = Journal.open(out, input, true)) {
            assertThat(second.kept()).isEqualTo(1);
        }
    }

    /**
     * A run is marked running when it opens and finished at its end, each by one rewrite of
     * the identity file, and an identity file emptied meanwhile is an error, not a blank
     * identity that a later resume could only refuse.
     */
    @Test
    void theIdentityFileIsMarkedRunningThenFinishedAndAnEmptiedOneIsAnError() throws Exception {
        Path input = Files.writeString(dir.resolve("in.txt"), "http://h.test/1\n");
        Path out = dir.resolve("out.jsonl");
        Path identity = dir.resolve("out.jsonl.input");
        try (Journal journal = Journal.open(out, input, false)) {
            assertThat(Files.readAllLines(identity)).hasSize(2).endsWith("running");
            journal.started();
            assertThat(Files.readAllLines(identity)).hasSize(2).endsWith("running");
            journal.finished();
            assertThat(Files.readAllLines(identity)).hasSize(1).doesNotContain("running");

            Files.writeString(identity, "");
            assertThatThrownBy(journal::finished).hasMessageContaining("is empty");
        }
        assertThat(dir.toFile().list()).as("no temporary file left")
                .containsExactlyInAnyOrder("in.txt", "out.jsonl", "out.jsonl.input");
    }
}
