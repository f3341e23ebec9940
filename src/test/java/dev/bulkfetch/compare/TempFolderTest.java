package dev.bulkfetch.compare;

import static dev.bulkfetch.testing.TmpDir.inTemporaryFolder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.output.LockedFile;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folders compares without --report make in the temporary folder, and their removal when
 * a killed compare left one, in one JVM: a library user's compares, or a test's.
 */
class TempFolderTest {

    @TempDir
    Path tmp;

    /**
     * A folder held in this JVM is no killed compare's, and is not opened at all (closing a
     * second descriptor of its lock's file would release the lock, and a compare in another
     * JVM would then take it for a killed one's). One whose compare ended keeping a failed
     * run's log has no lock's file left, and stays with the log.
     */
    @Test
    void onlyTheFolderNoCompareHoldsIsRemoved() throws Exception {
        try (TempFolder live = TempFolder.make(tmp)) {
            assertThat(live.path().getParent()).isEqualTo(tmp);
            assertThat(live.path().getFileName().toString()).matches("bulkfetch-compare-\\d+");
            assertThat(live.path().resolve(TempFolder.FILE)).isRegularFile();
            TempFolder ended = TempFolder.make(tmp);
            Path log = Files.writeString(ended.path().resolve("measured-run-serial-c1-1-5.log"),
                    "kept");
            ended.close();
            Path killed = Files.createDirectories(tmp.resolve("bulkfetch-compare-7"));
            Files.writeString(killed.resolve(TempFolder.FILE), "");
            Files.writeString(killed.resolve("runs.log"), "x".repeat(2048));

            KilledTempFolders.Removed removed = KilledTempFolders.remove(tmp,
                    Files.getOwner(live.path(), LinkOption.NOFOLLOW_LINKS));

            assertThat(removed.names()).containsExactly("bulkfetch-compare-7");
            assertThat(removed.said()).isEqualTo("compare: removed the temporary folder a"
                    + " killed compare left in " + tmp + " (2.0 KiB): bulkfetch-compare-7");
            assertThat(killed).doesNotExist();
            assertThat(live.path().resolve(TempFolder.FILE)).isRegularFile();
            assertThat(log).hasContent("kept");
            assertThat(sweptInAnotherJvm(live.path())).as("a sweep in another JVM").isNull();
            assertThat(live.path().resolve(TempFolder.FILE)).isRegularFile();
            assertThat(ended.path().resolve(TempFolder.FILE)).doesNotExist();
        }
    }

    /**
     * A compare starting as another one sweeps, the lock's file made in its new folder and not
     * yet locked, keeps that folder, which the sweep does not name as a killed compare's
     * either (seen about once in 24 compares started at one instant: the sweep took the lock
     * first and removed the folder).
     */
    @Test
    void aStartingComparesFolderIsNeitherRemovedNorNamedBeforeItsLockIsTaken()
            throws Exception {
        UserPrincipal user = Files.getOwner(tmp, LinkOption.NOFOLLOW_LINKS);
        List<KilledTempFolders.Removed> sweeps = new ArrayList<>();

        try (TempFolder starting = TempFolder.make(tmp, file -> {
            if (sweeps.isEmpty()) {
                sweeps.add(KilledTempFolders.remove(tmp, user));
            }
        })) {
            assertThat(sweeps).singleElement().satisfies(sweep -> {
                assertThat(sweep.said()).as("the sweep beside it").isNull();
                assertThat(sweep.names()).isEmpty();
            });
            assertThat(starting.path().resolve(TempFolder.FILE)).isRegularFile();
            assertThat(KilledTempFolders.remove(tmp, user).said()).as("a sweep once it started")
                    .isNull();
            assertThat(starting.path().resolve(TempFolder.FILE)).isRegularFile();
        }
    }

    /**
     * A --report folder of the user's named as these folders are, its compare killed, is
     * kept with the user's files: its lock's file is a --report folder's (found by review,
     * when both had one name and such a folder was removed whole).
     */
    @Test
    void aKilledComparesReportFolderOfThatNameIsKept() throws Exception {
        Path report = Files.createDirectory(tmp.resolve("bulkfetch-compare-2"));
        Path notes = Files.writeString(report.resolve("notes.txt"), "the user's own file");
        Files.createFile(report.resolve(FolderLock.FILE));

        KilledTempFolders.Removed removed = KilledTempFolders.remove(tmp,
                Files.getOwner(tmp, LinkOption.NOFOLLOW_LINKS));

        assertThat(removed.said()).isNull();
        assertThat(notes).hasContent("the user's own file");
    }

    /**
     * A compare killed as it made its folder, before the folder had its name, left it under the
     * name it is made under, empty or holding its lock's file, which no sweep looked at: it
     * stayed for good. Once abandoned long enough, a compare's sweep removes it; one holding
     * any other file, or named otherwise, stays.
     */
    @Test
    void aFolderLeftByACompareKilledAsItMadeItIsRemovedOnceAbandoned() throws Exception {
        Path withLock = Files.createDirectory(tmp.resolve("bulkfetch-compare-new-11"));
        Files.createFile(withLock.resolve(TempFolder.FILE));
        Path empty = Files.createDirectory(tmp.resolve("bulkfetch-compare-new-12"));
        Path notes = Files.writeString(Files.createDirectory(
                tmp.resolve("bulkfetch-compare-new-13")).resolve("notes.txt"), "mine");
        Path otherName = Files.createDirectory(tmp.resolve("bulkfetch-compare-new-x"));
        for (Path folder : List.of(withLock, empty, notes.getParent(), otherName)) {
            madeLongAgo(folder);
        }

        String said = inTemporaryFolder(tmp, () -> KilledTempFolders.remove(tmp).said());

        assertThat(said).isEqualTo("compare: removed the temporary folders 2 killed compares"
                + " left in " + tmp + " (0 B): bulkfetch-compare-new-11, bulkfetch-compare-new-12");
        assertThat(withLock).doesNotExist();
        assertThat(empty).doesNotExist();
        assertThat(notes).hasContent("mine");
        assertThat(otherName).isDirectory();
    }

    /** A folder just made under that name is a compare's starting beside the sweep: kept. */
    @Test
    void aFolderJustMadeUnderTheNameItIsMadeUnderIsKept() throws Exception {
        Path making = Files.createDirectory(tmp.resolve("bulkfetch-compare-new-21"));
        Files.createFile(making.resolve(TempFolder.FILE));

        String said = inTemporaryFolder(tmp, () -> KilledTempFolders.remove(tmp).said());

        assertThat(said).isNull();
        assertThat(making.resolve(TempFolder.FILE)).isRegularFile();
    }

    /**
     * A folder under the name it is made under, however old, whose lock's file is locked, is
     * some compare's still: kept by a sweep in this JVM, which does not open the file, and in
     * another, which cannot take its lock.
     */
    @Test
    void anOldFolderUnderTheNameItIsMadeUnderWhoseLockIsHeldIsKept() throws Exception {
        Path making = Files.createDirectory(tmp.resolve("bulkfetch-compare-new-31"));
        Path file = Files.createFile(making.resolve(TempFolder.FILE));
        LockedFile held = LockedFile.takeExisting(file, f -> new java.io.IOException("taken"));
        try {
            assertThat(held.held()).isTrue();
            madeLongAgo(making);

            assertThat(inTemporaryFolder(tmp, () -> KilledTempFolders.remove(tmp).said()))
                    .as("a sweep in this JVM").isNull();
            assertThat(sweptInAnotherJvm(tmp)).as("a sweep in another JVM").isNull();
            assertThat(file).isRegularFile();
        } finally {
            held.release();
        }
    }

    /** Sets {@code folder}'s last change an hour back: past the age of an abandoned one. */
    private static void madeLongAgo(Path folder) throws java.io.IOException {
        Files.setLastModifiedTime(folder, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    }

    /** What a sweep in another JVM, a compare's there, says: {@code mine} its user's. */
    private String sweptInAnotherJvm(Path mine) throws Exception {
        Path source = Files.writeString(Files.createTempDirectory("sweep").resolve("Sweep.java"),
                "class Sweep { public static void main(String[] args) { System.out.print("
                + "dev.bulkfetch.compare.KilledTempFolders.remove(java.nio.file.Path.of(args[0]))"
                + ".said()); } }");
        Process sweep = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                source.toString(), mine.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String said = new String(sweep.getInputStream().readAllBytes());
            assertThat(sweep.waitFor(60, TimeUnit.SECONDS)).as("the sweep ended").isTrue();
            assertThat(sweep.exitValue()).isZero();
            return said.equals("null") ? null : said;
        } finally {
            sweep.destroyForcibly();
            Files.delete(source);
            Files.delete(source.getParent());
        }
    }
}
