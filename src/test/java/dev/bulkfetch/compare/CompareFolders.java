package dev.bulkfetch.compare;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Collectors;

/** The temporary folders compare makes, to show that a run leaves none behind. */
final class CompareFolders {

    private CompareFolders() {
    }

    /** All of them in {@code tmp}, a test's own temporary folder. */
    static java.util.Set<Path> compareFolders(Path tmp) throws IOException {
        try (var files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("bulkfetch-compare"))
                    .collect(Collectors.toSet());
        }
    }

    /**
     * Those in {@code tmp}, the machine's temporary folder, but the folders of compares running
     * in other processes, which come and go (another build's tests on the machine made one
     * while a test looked, and it failed).
     */
    static java.util.Set<Path> notRunningElsewhere(Path tmp) throws IOException {
        java.util.Set<Path> folders = compareFolders(tmp);
        folders.removeIf(CompareFolders::heldByAnotherProcess);
        return folders;
    }

    /** Whether a running compare of another process holds {@code folder}'s lock. */
    private static boolean heldByAnotherProcess(Path folder) {
        try (FileChannel channel = FileChannel.open(folder.resolve(TempFolder.FILE),
                StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (IOException | OverlappingFileLockException e) {
            return false;  // no lock's file (an older compare's folder), or this JVM's hold
        }
    }
}
