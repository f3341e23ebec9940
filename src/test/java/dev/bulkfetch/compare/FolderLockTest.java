package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.output.NoLocks;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hold on a --report folder, taken in this JVM, on a file system the test stands in. */
class FolderLockTest {

    @TempDir
    Path report;

    /**
     * On a file system without locks (NFS mounted with nolock, some FUSE mounts) a compare
     * went on unguarded, as it should, but said nothing of it, and left its lock's file in the
     * folder for good. It still goes on, says once that a second compare into the folder is
     * not refused and that killed compares' files there are not removed (a compare on another
     * host may be using them), keeps those, and removes its own lock's file as it ends.
     */
    @Test
    void onAFileSystemWithoutLocksTheFolderIsUsedUnguardedSaidSoAndLeftAsItWas()
            throws Exception {
        Path left = TestServer.write(report.resolve(
                ".bulkfetch-compare-measured-8158239447611234567.json"), "left");

        FolderLock unguarded = FolderLock.take(report, NoLocks::take);

        assertThat(unguarded.said()).isEqualTo("compare: cannot lock the --report folder "
                + report + " (its file system takes no locks): a second compare into it is not"
                + " refused, and files a killed compare left there are not removed");
        assertThat(left).hasContent("left");
        assertThat(report.resolve(FolderLock.FILE)).isRegularFile();
        unguarded.close();
        assertThat(report.resolve(FolderLock.FILE)).doesNotExist();
        assertThat(left).hasContent("left");
    }

    /** A folder held is said nothing of. */
    @Test
    void aFolderHeldIsSaidNothingOf() throws Exception {
        try (FolderLock held = FolderLock.take(report)) {
            assertThat(held.said()).isNull();
        }
        assertThat(report.resolve(FolderLock.FILE)).doesNotExist();
    }
}
