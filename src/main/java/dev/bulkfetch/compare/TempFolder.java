package dev.bulkfetch.compare;

import dev.bulkfetch.output.LockedFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The folder in the system's temporary folder where a compare without --report keeps its
 * runs' files, held as a --report folder is ({@link FolderLock}): by the operating system's
 * lock on {@link #FILE} in it, which goes with the process, killed outright too. A
 * compare killed so (kill -9, the OOM killer) cannot remove its folder, whose runs' logs grow
 * with the list; a later compare tells such a folder by the lock it can take, and removes it
 * ({@link KilledTempFolders}).
 *
 * <p>The lock's file is made in the new, empty folder and only then locked: a later compare
 * looking in between may take the lock first and remove the folder as a killed one's. So
 * the file is opened as it was made, never made again, and counts only when its name still
 * stands for the file locked; else the folder is left to that compare, and another is made.
 * Thread-safe: {@link #close()} is idempotent under this object's lock, for the signal's
 * tidy-up and the compare's own end.
 */
public final class TempFolder implements AutoCloseable {

    /**
     * The lock's file: not {@link FolderLock#FILE}, so that a --report folder of the user's
     * named as these are, its compare killed, is never taken for one of these and removed.
     */
    static final String FILE = ".bulkfetch-compare-temp.lock";

    /** What the name of every such folder begins with; a random number follows. */
    public static final String PREFIX = "bulkfetch-compare-";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "\\d+");
    // Each attempt lost to a later compare taking the new folder for a killed one's.
    private static final int ATTEMPTS = 5;

    private final Path folder;
    // Guarded by this; null once closed.
    private LockedFile lock;

    private TempFolder(Path folder, LockedFile lock) {
        this.folder = folder;
        this.lock = lock;
    }

    /** Makes a new folder in {@code java.io.tmpdir} and holds it. */
    public static TempFolder make() throws IOException {
        return make(Path.of(System.getProperty("java.io.tmpdir")));
    }

    static TempFolder make(Path tmp) throws IOException {
        return make(tmp, file -> { });
    }

    /**
     * As {@link #make()}, in {@code tmp}, {@code made} run as each lock's file is made and not
     * yet locked: a test's compare starting beside this one.
     */
    static TempFolder make(Path tmp, Consumer<Path> made) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Path folder = Files.createTempDirectory(tmp, PREFIX);
            Path file = folder.resolve(FILE);
            LockedFile locked;
            Object key;
            try {
                Files.createFile(file);
                made.accept(file);
                key = fileKey(file);
                locked = LockedFile.takeExisting(file, f -> new IOException("taken"));
            } catch (IOException e) {
                // Gone, or locked: another compare took it for a killed one's. An empty
                // folder goes; one with the lock's file in it is that compare's to remove.
                deleteIfEmpty(folder);
                continue;
            }
            if (!locked.held() || key != null && Objects.equals(key, fileKey(file))) {
                // On a file system without locks no compare removes any folder.
                return new TempFolder(folder, locked);
            }
            locked.release();
            deleteIfEmpty(folder);
        }
        throw new IOException("cannot make a temporary folder of compare's own in " + tmp
                + ": each one made was taken for a killed compare's and removed at once");
    }

    /** Whether {@code name} is one this class gives its folders. */
    static boolean isOurs(String name) {
        return NAME.matcher(name).matches();
    }

    /** The folder. */
    public Path path() {
        return folder;
    }

    /**
     * Removes the lock's file, when the folder is still there (kept for the logs of failed
     * runs, which the table names: no later compare may take it for a killed one's), and
     * releases the lock; idempotent, and says nothing: it runs as compare ends, a signal's
     * tidy-up too. The folder's other files are the caller's to remove or keep.
     */
    @Override
    public synchronized void close() {
        if (lock == null) {
            return;
        }
        try {
            Files.deleteIfExists(folder.resolve(FILE));
        } catch (IOException e) {
            // Stays: the folder is removed by a later compare.
        }
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel: the lock goes with it or with the process.
        }
        lock = null;
    }

    /** The key of {@code file} itself, a link's own when it is one; null when not there. */
    static Object fileKey(Path file) throws IOException {
        return FolderLock.fileKey(file, LinkOption.NOFOLLOW_LINKS);
    }

    private static void deleteIfEmpty(Path folder) {
        try {
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            // Not empty, or not ours to remove.
        }
    }
}
