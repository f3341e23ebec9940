package dev.bulkfetch.compare;

import dev.bulkfetch.output.LockedFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A compare's hold on its --report folder, so that a second compare into it is refused: two
 * ran side by side, each on the other's timing, and the last one's report won, the runs' files
 * of both mixed in the folder.
 *
 * <p>The hold is the operating system's lock on {@link #FILE} in the folder ({@link
 * LockedFile}), so it goes with the process, killed outright too: the file left behind holds no
 * one back. Holding it, a compare removes what killed compares left ({@link ScratchFiles}).
 * On a file system without locks it goes on unguarded, as before there was a lock, removing
 * nothing, and says so once ({@link #said()}).
 *
 * <p>The file is removed as the compare ends, so the folder keeps only the report: removed
 * while still locked, then unlocked. A compare that opened it just before, and locks it just
 * after, holds a file no longer in the folder, while a third may make and lock a new one: so
 * a lock counts only when the name stood for the same file before it was opened and after it
 * was locked (compared by the file system's key, not by opening it again, which on Linux would
 * release the lock). Thread-safe: {@link #close()} is idempotent under this object's lock, for
 * the signal's tidy-up and the compare's own end.
 */
public final class FolderLock implements AutoCloseable {

    /** The lock's file, in the folder while a compare writes there. */
    public static final String FILE = ".bulkfetch-compare.lock";
    // The file's name standing for another file each time: compares coming and going.
    private static final int ATTEMPTS = 5;

    private final Path file;
    private final Object fileKey;
    private final boolean held;
    // Guarded by this; null once closed.
    private LockedFile lock;

    private FolderLock(Path file, Object fileKey, LockedFile lock) {
        this.file = file;
        this.fileKey = fileKey;
        this.held = lock.held();
        this.lock = lock;
    }

    /** Another compare holds the folder: no usage mistake, and no run was started. */
    public static final class InUse extends IOException {
        InUse(Path folder) {
            super("another compare is writing into the --report folder " + folder
                    + " (it holds " + folder.resolve(FILE) + "): let it end, or choose another"
                    + " folder");
        }
    }

    /**
     * Takes the hold on {@code folder}, which must exist, and removes what compares killed
     * there left.
     *
     * @throws InUse when another compare, in this JVM or another, holds it
     */
    public static FolderLock take(Path folder) throws IOException {
        return take(folder, LockedFile::take);
    }

    /** How the lock's file is opened and locked: {@link LockedFile#take}, or a test's. */
    @FunctionalInterface
    interface Locking {
        LockedFile take(Path file, java.util.function.Function<Path, ? extends IOException> inUse)
                throws IOException;
    }

    static FolderLock take(Path folder, Locking locking) throws IOException {
        Path file = folder.resolve(FILE);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                Files.createFile(file);
            } catch (java.nio.file.FileAlreadyExistsException there) {
                // Another compare's, or a killed one's: its lock says which.
            }
            Object before = fileKey(file);
            LockedFile locked = locking.take(file, f -> new InUse(folder));
            Object after = fileKey(file);
            if (!locked.held()) {
                // A file system without locks: unguarded, as before there was a lock, and
                // nothing removed that may be a live compare's. The file, when its name still
                // stands for it, is removed as the compare ends, as a lock's file is.
                return new FolderLock(file, Objects.equals(before, after) ? after : null,
                        locked);
            }
            if (before != null && Objects.equals(before, after)) {
                if (!onNetworkFileSystem(folder)) {
                    ScratchFiles.removeLeftovers(folder);
                }
                return new FolderLock(file, after, locked);
            }
            // Locked a file another compare had removed as it ended: its name is another's.
            locked.release();
        }
        throw new InUse(folder);
    }

    /**
     * What compare says on stderr of its hold, once: null when it holds the folder; else that
     * no second compare is refused, nor any killed compare's files removed.
     */
    public String said() {
        return held ? null : "compare: cannot lock the --report folder " + file.getParent()
                + " (its file system takes no locks): a second compare into it is not refused,"
                + " and files a killed compare left there are not removed";
    }

    /**
     * Whether {@code folder} is on a network file system, where a lock may hold on this host
     * alone (NFS mounted with nolock or local_lock): a compare on another host holding it too
     * would lose its live files to a removal of leftovers, so none is made there.
     */
    static boolean onNetworkFileSystem(Path folder) {
        try {
            String type = Files.getFileStore(folder).type().toLowerCase(java.util.Locale.ROOT);
            return type.startsWith("nfs") || type.startsWith("cifs") || type.startsWith("smb")
                    || type.startsWith("fuse") || type.equals("9p") || type.startsWith("ceph")
                    || type.equals("glusterfs") || type.equals("lustre");
        } catch (IOException e) {
            return true;  // unknown: nothing removed, as on a file system without locks
        }
    }

    /**
     * Removes the lock's file and releases the lock; idempotent, and says nothing: it runs as
     * compare ends, a signal's tidy-up too. A file that cannot be removed stays, and holds
     * no one back.
     */
    @Override
    public synchronized void close() {
        if (lock == null) {
            return;
        }
        try {
            if (fileKey != null && fileKey.equals(fileKey(file))) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // Stays.
        }
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel: the lock goes with it or with the process.
        }
        lock = null;
    }

    /**
     * The file system's key of {@code file} (device and inode), without opening it, {@code
     * options} saying whether a link is followed; null when there is no such file.
     */
    static Object fileKey(Path file, LinkOption... options) throws IOException {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class, options)
                    .fileKey();
            // Null on a file system without keys: the name is taken at its word.
            return key == null ? Boolean.TRUE : key;
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
