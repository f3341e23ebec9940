package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --retry-failed}: a resume's journal without the kept records of items that were not
 * ok, written anew beside itself and moved over itself, so those items are fetched again and
 * each still ends with one record.
 */
class RetryFailedJournalTest {

    private static final String OK_1 = "{\"seq\":1,\"ok\":true,\"body\":\"caf\u00e9\"}\n";
    private static final String FAILED_2 = "{\"seq\":2,\"ok\":false,\"status\":503}\n";
    private static final String OK_3 = "{\"seq\":3,\"ok\":true}\n";
    private static final String FAILED_4 = "{\"seq\":4,\"ok\":false,\"error\":{}}\n";
    private static final String OK_5 = "{\"seq\":5,\"ok\":true}\n";

    @TempDir
    Path dir;

    private Path input;
    private Path out;

    /** A journal of five items of a five-line list, a run that did not finish, holding {@code records}. */
    private void journal(String records) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int seq = 1; seq <= 5; seq++) {
            text.append("http://h.test/").append(seq).append('\n');
        }
        input = Files.writeString(dir.resolve("in.txt"), text);
        out = dir.resolve("out.jsonl");
        Journal.open(out, input, false).close();
        Files.writeString(out, records);
    }

    @Test
    void theFailedRecordsAreDroppedAndTheOkOnesKeptByteForByteInTheirOrder() throws Exception {
        journal(OK_1 + FAILED_2 + OK_3 + FAILED_4 + OK_5);

        try (Journal journal = Journal.open(out, input, true).withoutFailures()) {
            assertThat(journal.dropped()).isEqualTo(2);
            assertThat(journal.kept()).isEqualTo(3);
            assertThat(journal.keptFailures()).isZero();
            assertThat(journal.isDone(1)).isTrue();
            assertThat(journal.isDone(2)).isFalse();
            assertThat(journal.isDone(3)).isTrue();
            assertThat(journal.isDone(4)).isFalse();
            assertThat(journal.isDone(5)).isTrue();
            try (var written = journal.append()) {
                written.write("{\"seq\":2,\"ok\":true}\n".getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(Files.readString(out)).isEqualTo(OK_1 + OK_3 + OK_5
                + "{\"seq\":2,\"ok\":true}\n");
        assertThat(Journal.rewritePart(out)).doesNotExist();
    }

    /** A torn last line goes too, and a failed record last, as a kill can leave them. */
    @Test
    void aTornTailAndAFailedLastRecordGoToo() throws Exception {
        journal("");
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes((OK_1 + FAILED_2).getBytes(StandardCharsets.UTF_8));
        file.writeBytes("{\"seq\":3,\"ok\":tr".getBytes(StandardCharsets.UTF_8));
        Files.write(out, file.toByteArray());

        try (Journal journal = Journal.open(out, input, true).withoutFailures()) {
            assertThat(journal.dropped()).isEqualTo(1);
            assertThat(journal.tornBytes()).isEqualTo(16);
        }
        assertThat(Files.readString(out)).isEqualTo(OK_1);
    }

    /**
     * The file is held throughout, the new one as the old: a lock on the file as it is now
     * meets this JVM's (on Linux, closing that probe's descriptor would let the hold go, so
     * the journal is closed right after). And the file keeps its owner-only permissions.
     */
    @Test
    void theNewFileIsHeldAsTheOldWasAndKeepsItsPermissions() throws Exception {
        journal(OK_1 + FAILED_2);
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
        Object oldFile = Files.readAttributes(out,
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        Journal journal = Journal.open(out, input, true).withoutFailures();
        try {
            assertThat(Files.readAttributes(out, java.nio.file.attribute.BasicFileAttributes
                    .class).fileKey()).as("a new file").isNotEqualTo(oldFile);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
                    .isEqualTo("rw-------");
            assertThatThrownBy(() -> Journal.open(out, input, true))
                    .isInstanceOf(Journal.InUse.class);
            try (FileChannel probe = FileChannel.open(out, StandardOpenOption.WRITE)) {
                assertThatThrownBy(probe::tryLock)
                        .isInstanceOf(OverlappingFileLockException.class);
            }
        } finally {
            journal.close();
        }
        Journal.open(out, input, true).close();
    }

    /**
     * Marked running before it is rewritten: a crash then leaves a file without the failed
     * items' records, which a new run without --resume must refuse rather than start afresh
     * on, as a finished run's file would be.
     */
    @Test
    void aFinishedRunsFileIsMarkedRunningBeforeItsFailuresAreDropped() throws Exception {
        journal(OK_1 + FAILED_2 + OK_3 + OK_5);
        try (Journal finished = Journal.open(out, input, true)) {
            finished.finished();
        }
        Journal.open(out, input, true).withoutFailures().close();

        assertThatThrownBy(() -> Journal.open(out, input, false))
                .isInstanceOf(Journal.Unfinished.class);
    }

    /** The part file a crash left mid-rewrite is taken over, not added to. */
    @Test
    void aPartFileACrashLeftIsTakenOver() throws Exception {
        journal(OK_1 + FAILED_2);
        Files.writeString(Journal.rewritePart(out), "{\"seq\":9,\"ok\":true}\n".repeat(100));

        Journal.open(out, input, true).withoutFailures().close();

        assertThat(Files.readString(out)).isEqualTo(OK_1);
        assertThat(Journal.rewritePart(out)).doesNotExist();
    }

    /** With no failed record, the file is left as it is. */
    @Test
    void withNothingFailedTheFileIsLeftAlone() throws Exception {
        journal(OK_1 + OK_3);
        Object before = Files.readAttributes(out,
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        try (Journal journal = Journal.open(out, input, true).withoutFailures()) {
            assertThat(journal.dropped()).isZero();
            assertThat(journal.kept()).isEqualTo(2);
        }
        assertThat(Files.readAttributes(out, java.nio.file.attribute.BasicFileAttributes.class)
                .fileKey()).isEqualTo(before);
        assertThat(Files.readString(out)).isEqualTo(OK_1 + OK_3);
    }
}
