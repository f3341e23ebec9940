package dev.bulkfetch.compare;

import dev.bulkfetch.output.LockedFile;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>A compare sweeping such folders may look at any instant, also at a folder just made, its
 * lock's file made and not yet locked: it took the lock first, and removed the folder of a
 * compare starting beside it as a killed one's (seen once in 24 compares started together).
 * So the folder is made under a name no sweep looks at, its lock's file made and locked in
 * it, and only then renamed to its own: under that name it is never without the lock. In
 * this JVM, where the lock's entry names the file as it was locked ({@link LockedFile}), the
 * folder is held by its own name too, before it has it, so that a sweep here never opens its
 * lock's file (closing that descriptor would release the lock). A compare killed before the
 * rename leaves its folder, empty but for that file, under the name no sweep takes for a killed
 * compare's; a sweep removes it only once it is {@link #ABANDONED abandoned}, as it does one
 * left empty by a compare killed before it made the file.
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
    /** What the name of a folder being made begins with, its number following: no sweep's. */
    private static final String MAKING = PREFIX + "new-";
    private static final Pattern MAKING_NAME = Pattern.compile(Pattern.quote(MAKING) + "\\d+");
    /**
     * How long a folder being made may stay so, by its last change, before a sweep takes it
     * for a killed compare's: a starting compare renames it within milliseconds, so no
     * compare starting beside a sweep, however slow its host, loses it.
     */
    static final Duration ABANDONED = Duration.ofMinutes(10);
    // Each attempt lost to a folder of the name it was to be given.
    private static final int ATTEMPTS = 5;
    // The folders held in this JVM, by their real paths, from before they have their names.
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path folder;
    // This folder's entry in HELD.
    private final Path real;
    // Guarded by this; null once closed.
    private LockedFile lock;

    private TempFolder(Path folder, Path real, LockedFile lock) {
        this.folder = folder;
        this.real = real;
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
            Path making = Files.createTempDirectory(tmp, MAKING);
            Path folder = making.resolveSibling(
                    PREFIX + making.getFileName().toString().substring(MAKING.length()));
            Path real = making.toRealPath().resolveSibling(folder.getFileName());
            if (!HELD.add(real)) {
                // A folder of that name held in this JVM: another number.
                Files.delete(making);
                continue;
            }
            LockedFile locked = null;
            try {
                Files.createFile(making.resolve(FILE));
                made.accept(making.resolve(FILE));
                // On a file system without locks no compare removes any folder.
                locked = LockedFile.takeExisting(making.resolve(FILE),
                        f -> new IOException("taken"));
                // rename(2), on one file system: the name is the folder's at once, its lock's
                // file in it and locked; a folder of that name is left as it is.
                Files.move(making, folder);
                return new TempFolder(folder, real, locked);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException taken) {
                // Another folder has the name: another number.
                undo(making, locked, real, null);
            } catch (IOException | RuntimeException e) {
                undo(making, locked, real, e);
                throw e;
            }
        }
        throw new IOException("cannot make a temporary folder of compare's own in " + tmp
                + ": the name of each one made was another folder's");
    }

    /** Removes {@code making} as made, its lock's file released, and its entry in HELD. */
    private static void undo(Path making, LockedFile locked, Path real, Exception e) {
        try {
            if (locked != null) {
                locked.release();
            }
            Files.deleteIfExists(making.resolve(FILE));
            Files.deleteIfExists(making);
        } catch (IOException left) {
            // Stays, under a name no sweep looks at.
            if (e != null) {
                e.addSuppressed(left);
            }
        } finally {
            HELD.remove(real);
        }
    }

    /** Whether {@code name} is one this class gives its folders. */
    static boolean isOurs(String name) {
        return NAME.matcher(name).matches();
    }

    /** Whether {@code name} is one this class gives its folders as it makes them. */
    static boolean isBeingMade(String name) {
        return MAKING_NAME.matcher(name).matches();
    }

    /** Whether {@code folder} is one of these held in this JVM: its lock's file not to open. */
    static boolean heldHere(Path folder) throws IOException {
        return HELD.contains(folder.toRealPath());
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
        HELD.remove(real);
    }

    /** The key of {@code file} itself, a link's own when it is one; null when not there. */
    static Object fileKey(Path file) throws IOException {
        return FolderLock.fileKey(file, LinkOption.NOFOLLOW_LINKS);
    }
}
