package dev.bulkfetch.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A run's hold on a file: the operating system's lock, and this JVM's entry for it. fetch
 * holds its journal so; compare, its --report folder's lock file.
 *
 * <p>The lock is the operating system's, so it goes with the process, a killed one too. Every
 * read and write of the file goes through the one locked channel: on Linux, closing any other
 * descriptor of the file would release the lock. Within one JVM, where that lock cannot tell
 * two runs apart, a set of the files held refuses the second before it opens a descriptor at
 * all. Thread-safe: the set is concurrent, and {@link #release()} is idempotent under this
 * object's lock.
 */
public final class LockedFile {

    // The files held in this JVM, by their real paths.
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    private final FileChannel channel;
    private final boolean held;
    // This hold's entry in OPEN; null once released.
    private Path key;

    private LockedFile(FileChannel channel, boolean held, Path key) {
        this.channel = channel;
        this.held = held;
        this.key = key;
    }

    /**
     * Opens {@code file} for reading and writing, made if need be, and locks it.
     *
     * @throws IOException {@code inUse}'s, for the file, when another run, in this JVM or
     *     another, holds it
     */
    public static LockedFile take(Path file, Function<Path, ? extends IOException> inUse)
            throws IOException {
        return take(file, inUse, StandardOpenOption.CREATE, FileChannel::tryLock);
    }

    /**
     * As {@link #take}, for a file that must be there already, and be no link: a file
     * another process may be removing is never made again, nor one a link points to locked.
     *
     * @throws java.nio.file.NoSuchFileException when it is not there
     */
    public static LockedFile takeExisting(Path file, Function<Path, ? extends IOException> inUse)
            throws IOException {
        return take(file, inUse, LinkOption.NOFOLLOW_LINKS, FileChannel::tryLock);
    }

    /** How a channel is locked: by {@link FileChannel#tryLock()}, or as a test has it. */
    @FunctionalInterface
    interface Locking {
        FileLock tryLock(FileChannel channel) throws IOException;
    }

    /**
     * As {@link #take}, refused as in use when the name had moved on to another file by the
     * time the lock was taken: a file another run's rewrite had just moved over, its hold
     * passed to the new file ({@link #replacedBy}), is not the one the name now gives. On a
     * file system without locks, unguarded as {@link #take} is.
     */
    public static LockedFile takeAsNamed(Path file, Function<Path, ? extends IOException> inUse)
            throws IOException {
        return takeAsNamed(file, inUse, FileChannel::tryLock);
    }

    /** As {@link #takeAsNamed(Path, Function)}, the lock taken by {@code locking}. */
    static LockedFile takeAsNamed(Path file, Function<Path, ? extends IOException> inUse,
                                  Locking locking) throws IOException {
        Object before = fileKey(file);
        LockedFile taken = take(file, inUse, locking);
        if (taken.held() && before != null && !before.equals(fileKey(file))) {
            taken.release();
            throw inUse.apply(file);
        }
        return taken;
    }

    /** As {@link #take}, the lock taken by {@code locking}: a test's file system without locks. */
    static LockedFile take(Path file, Function<Path, ? extends IOException> inUse,
                           Locking locking) throws IOException {
        return take(file, inUse, StandardOpenOption.CREATE, locking);
    }

    private static LockedFile take(Path file, Function<Path, ? extends IOException> inUse,
                                   OpenOption how, Locking locking)
            throws IOException {
        Path key = key(file);
        if (!OPEN.add(key)) {
            throw inUse.apply(file);
        }
        try {
            FileChannel channel = FileChannel.open(file, how,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            Boolean held = lock(channel, locking);
            if (held == null) {
                channel.close();
                throw inUse.apply(file);
            }
            return new LockedFile(channel, held, key);
        } catch (Throwable e) {
            OPEN.remove(key);
            throw e;
        }
    }

    /** The locked channel, through which every read and write of the file goes. */
    FileChannel channel() {
        return channel;
    }

    /**
     * Whether the operating system's lock is held: not on a file system without locks (some
     * network mounts), where the run goes on unguarded, as it did before there was a lock.
     */
    public boolean held() {
        return held;
    }

    /** What writes a replacement's content through its locked channel, and what it wrote. */
    @FunctionalInterface
    interface Content<T> {
        T writeTo(FileChannel channel) throws IOException;
    }

    /** A replaced file's new hold, and what its {@link Content} said it wrote. */
    record Replacement<T>(LockedFile hold, T written) {
    }

    /**
     * The held file replaced by one that {@code content} writes, held throughout: the new
     * file is made as {@code part} beside it, new (a link or a file left there by a crash is
     * removed first, never followed), with the file's owner, group and permissions (the
     * records may be private), locked, written, forced to disk and moved over the file, the
     * folder forced too, and only then is the old file's descriptor closed. A run opening the
     * file meanwhile finds the one or the other locked, or the name moved on ({@link
     * #takeAsNamed}); a crash leaves the file whole, as it was or as written. This hold is
     * spent: the returned one has the file.
     */
    synchronized <T> Replacement<T> replacedBy(Path file, Path part, Content<T> content)
            throws IOException {
        Files.deleteIfExists(part);
        FileChannel next = FileChannel.open(part, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        Boolean nextHeld;
        T written;
        try {
            nextHeld = lock(next, FileChannel::tryLock);
            if (nextHeld == null) {
                throw new IOException("cannot rewrite " + file + ": " + part
                        + " is held by another process");
            }
            try {
                PosixFileAttributes was = Files.readAttributes(file, PosixFileAttributes.class);
                copyOwner(was, part);
                Files.setPosixFilePermissions(part, was.permissions());
            } catch (UnsupportedOperationException notPosix) {
                // A file system without POSIX permissions: the umask's, as any new file's.
            }
            written = content.writeTo(next);
            next.force(true);
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (Throwable e) {
            next.close();
            Files.deleteIfExists(part);  // made new by this call, half written
            throw e;
        }
        forceFolder(file);
        try {
            channel.close();  // the old file's, gone from the folder: its lock goes with it
        } catch (IOException e) {
            // Its file is gone from the folder all the same; the new one is held.
        }
        LockedFile replacement = new LockedFile(next, nextHeld, key);
        key = null;  // the replacement's now
        return new Replacement<>(replacement, written);
    }

    /**
     * The owner and group {@code was} gives, on {@code part}: root resuming a user's run must
     * leave the file the user's. Where they cannot be given (a user not in the file's group),
     * the part keeps its own, as any new file would: the rewrite goes on.
     */
    private static void copyOwner(PosixFileAttributes was, Path part) {
        PosixFileAttributeView view = Files.getFileAttributeView(part,
                PosixFileAttributeView.class);
        try {
            PosixFileAttributes now = view.readAttributes();
            if (!now.group().equals(was.group())) {
                view.setGroup(was.group());
            }
            if (!now.owner().equals(was.owner())) {
                view.setOwner(was.owner());
            }
        } catch (IOException notAllowed) {
            // Not this user's to give: the part's own stand.
        }
    }

    /** The move of a file into its folder forced to disk, where the file system allows. */
    private static void forceFolder(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every file system lets a folder be opened or forced: the move stands.
        }
    }

    /** The file's identity (its device and inode), null when it is not there. */
    private static Object fileKey(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Closes the channel, which releases the lock, and the JVM's entry; idempotent. */
    public synchronized void release() throws IOException {
        try {
            channel.close();
        } finally {
            if (key != null) {
                OPEN.remove(key);
                key = null;
            }
        }
    }

    /** The file's real path (its folder's, for a file yet to be made), to key OPEN by. */
    private static Path key(Path file) throws IOException {
        if (Files.exists(file)) {
            return file.toRealPath();
        }
        Path absolute = file.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        return parent != null && Files.exists(parent)
                ? parent.toRealPath().resolve(absolute.getFileName()) : absolute;
    }

    /** True when locked, false when the file system takes no lock, null when another has it. */
    private static Boolean lock(FileChannel channel, Locking locking) throws IOException {
        try {
            return locking.tryLock(channel) == null ? null : true;
        } catch (OverlappingFileLockException e) {
            // This JVM's hold on the file under another name (a hard link) that OPEN did not
            // catch; closing this descriptor releases that one's lock, the lesser harm than
            // keeping a descriptor for nothing.
            return null;
        } catch (IOException e) {
            // A file system without locks (some network mounts): the run goes on unguarded,
            // as it did before there was a lock.
            return false;
        }
    }
}
