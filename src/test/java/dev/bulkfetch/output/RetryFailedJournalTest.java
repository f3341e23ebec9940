package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import org.junit.jupiter.api.Assumptions;
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

    /** A journal of a five-line list, of a run that did not finish, holding {@code records}. */
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

    /**
     * The failed records are found by their lines as the records were first read, and dropped
     * without a second read of each: records longer than a block of that read, and written by
     * hand, go or stay as their item was ok or not, byte for byte.
     */
    @Test
    void failedRecordsAcrossTheReadsBlocksAndWrittenByHandAreDroppedByTheirLines()
            throws Exception {
        String ok1 = "{\"seq\":1,\"body\":\"" + "a".repeat(70_000) + "\"}\n";
        String failed2 = "{ \"seq\" : 2, \"ok\" : false, \"body\":\"" + "b".repeat(70_000)
                + "\"}\n";
        String ok3 = "{\"ok\":true,\"seq\":3,\"body\":\"" + "c".repeat(140_000) + "\"}\n";
        String failed4 = "{\"seq\":4,\"ok\":false}\n";
        journal(ok1 + failed2 + ok3 + failed4 + OK_5);

        try (Journal journal = Journal.open(out, input, true).withoutFailures()) {
            assertThat(journal.dropped()).isEqualTo(2);
            assertThat(journal.kept()).isEqualTo(3);
            assertThat(journal.isDone(1)).isTrue();
            assertThat(journal.isDone(2)).isFalse();
            assertThat(journal.isDone(3)).isTrue();
            assertThat(journal.isDone(4)).isFalse();
            assertThat(journal.isDone(5)).isTrue();
        }
        assertThat(Files.readString(out)).isEqualTo(ok1 + ok3 + OK_5);
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
                BasicFileAttributes.class).fileKey();

        Journal journal = Journal.open(out, input, true).withoutFailures();
        try {
            assertThat(Files.readAttributes(out, BasicFileAttributes.class).fileKey())
                    .as("a new file").isNotEqualTo(oldFile);
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
     * The new file is its owner's and group's as the old was: root resuming a user's run
     * leaves the file the user's (after a review: it became root's, and the user's next
     * resume could not open it). Only root can give a file away, so only root runs this.
     */
    @Test
    void theNewFileKeepsItsOwnerAndGroup() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "only root can give a file to another user");
        journal(OK_1 + FAILED_2);
        UserPrincipalLookupService users = out.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(out,
                PosixFileAttributeView.class);
        try {
            view.setOwner(users.lookupPrincipalByName("nobody"));
            view.setGroup(users.lookupPrincipalByGroupName("nogroup"));
        } catch (UserPrincipalNotFoundException e) {
            Assumptions.abort("no user nobody or group nogroup here: " + e.getName());
        }

        Journal.open(out, input, true).withoutFailures().close();

        PosixFileAttributes now = Files.readAttributes(out, PosixFileAttributes.class);
        assertThat(now.owner().getName()).isEqualTo("nobody");
        assertThat(now.group().getName()).isEqualTo("nogroup");
        assertThat(Files.readString(out)).isEqualTo(OK_1);
    }

    /**
     * A finished run's file without its failed items' records is a run not finished: a new
     * run without --resume must refuse it rather than start afresh on it. (It is marked so
     * before the rewrite, for a crash during it; that order no test here can see.)
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
                BasicFileAttributes.class).fileKey();

        try (Journal journal = Journal.open(out, input, true).withoutFailures()) {
            assertThat(journal.dropped()).isZero();
            assertThat(journal.kept()).isEqualTo(2);
        }
        assertThat(Files.readAttributes(out, BasicFileAttributes.class)
                .fileKey()).isEqualTo(before);
        assertThat(Files.readString(out)).isEqualTo(OK_1 + OK_3);
    }

    /**
     * A link where the rewrite is made is removed, never followed (after a review: a link
     * placed there had the file it named emptied, filled with the records, given the
     * journal's permissions, and moved over the journal as a link to it).
     */
    @Test
    void aLinkWhereTheRewriteIsMadeIsRemovedNotFollowed() throws Exception {
        journal(OK_1 + FAILED_2);
        Path victim = Files.writeString(dir.resolve("victim.txt"), "mine\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(Journal.rewritePart(out), victim);

        Journal.open(out, input, true).withoutFailures().close();

        assertThat(Files.readString(victim)).isEqualTo("mine\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)))
                .isEqualTo("rw-------");
        assertThat(Files.isSymbolicLink(out)).isFalse();
        assertThat(Files.readString(out)).isEqualTo(OK_1);
    }

    /**
     * A rewrite that fails leaves the file as it was, and a finished run's file still
     * finished, so a new run on it starts afresh as before (after a review: it was left
     * marked running). Here the rewrite cannot be made: a folder holds its name.
     */
    @Test
    void aRewriteThatFailsLeavesTheFileAndItsMarkAsTheyWere() throws Exception {
        journal(OK_1 + FAILED_2);
        try (Journal finished = Journal.open(out, input, true)) {
            finished.finished();
        }
        Files.writeString(Files.createDirectory(Journal.rewritePart(out)).resolve("x"), "x");
        Journal journal = Journal.open(out, input, true);

        assertThatThrownBy(journal::withoutFailures).isInstanceOf(IOException.class);
        journal.close();

        assertThat(Files.readString(out)).isEqualTo(OK_1 + FAILED_2);
        Journal.open(out, input, false).close();  // not refused as unfinished
    }

    /** What writes the new file fails: the file stays whole and held, and no part is left. */
    @Test
    void aReplacementWhoseContentFailsLeavesTheFileWholeAndHeld() throws Exception {
        Path file = Files.writeString(dir.resolve("held.txt"), "as it was\n");
        Path part = dir.resolve(".held.txt.part");
        LockedFile hold = LockedFile.take(file, path -> new IOException("in use: " + path));
        try {
            assertThatThrownBy(() -> hold.replacedBy(file, part, to -> {
                to.write(StandardCharsets.UTF_8.encode("half"));
                throw new IOException("disk full");
            })).hasMessage("disk full");

            assertThat(Files.readString(file)).isEqualTo("as it was\n");
            assertThat(part).doesNotExist();
            try (FileChannel probe = FileChannel.open(file, StandardOpenOption.WRITE)) {
                assertThatThrownBy(probe::tryLock)
                        .isInstanceOf(OverlappingFileLockException.class);
            }
        } finally {
            hold.release();
        }
    }

    /**
     * A run that locks the file a rewrite has just moved another over, as the rewrite lets
     * the old one go, holds a file no longer in the folder: it is refused as in use (after a
     * review: it went on, fetching alongside the run that rewrote the file). The move is made
     * as the lock is taken, where another process's would land.
     */
    @Test
    void aFileMovedOverAsItIsLockedIsInUse() throws Exception {
        Path file = Files.writeString(dir.resolve("journal.jsonl"), "old\n");
        Path rewritten = Files.writeString(dir.resolve("rewritten"), "new\n");

        assertThatThrownBy(() -> LockedFile.takeAsNamed(file,
                path -> new IOException("in use: " + path),
                channel -> {
                    Files.move(rewritten, file, StandardCopyOption.ATOMIC_MOVE);
                    return channel.tryLock();
                })).hasMessage("in use: " + file);
        LockedFile.take(file, path -> new IOException("in use: " + path)).release();
    }
}
