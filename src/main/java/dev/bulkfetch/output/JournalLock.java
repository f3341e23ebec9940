package dev.bulkfetch.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A journal's hold on its file: the operating system's lock, and this JVM's entry for it.
 *
 * <p>The lock is the operating system's, so it goes with the process, a killed one too. Every
 * read and write of the file goes through the one locked channel: on Linux, closing any other
 * descriptor of the file would release the lock. Within one JVM, where that lock cannot tell
 * two runs apart, a set of the files open as journals refuses the second before it opens a
 * descriptor at all. Thread-safe: the set is concurrent, and {@link #release()} is idempotent
 * under this object's lock.
 */
final class JournalLock {

    // The files open as journals in this JVM, by their real paths.
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    private final FileChannel channel;
    // This hold's entry in OPEN; null once released.
    private Path key;

    private JournalLock(FileChannel channel, Path key) {
        this.channel = channel;
        this.key = key;
    }

    /**
     * Opens {@code file} for reading and writing, made if need be, and locks it.
     *
     * @throws Journal.InUse when another run, in this JVM or another, has it open as its
     *     journal
     */
    static JournalLock take(Path file) throws IOException {
        Path key = key(file);
        if (!OPEN.add(key)) {
            throw new Journal.InUse(file);
        }
        try {
            return new JournalLock(lock(file), key);
        } catch (Throwable e) {
            OPEN.remove(key);
            throw e;
        }
    }

    /** The locked channel, through which every read and write of the file goes. */
    FileChannel channel() {
        return channel;
    }

    /** Closes the channel, which releases the lock, and the JVM's entry; idempotent. */
    synchronized void release() throws IOException {
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

    private static FileChannel lock(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() == null) {
                throw new Journal.InUse(file);
            }
        } catch (OverlappingFileLockException e) {
            // This JVM's journal on the file under another name (a hard link) that OPEN did
            // not catch; closing this descriptor releases that one's lock, the lesser harm
            // than keeping a descriptor for nothing.
            channel.close();
            throw new Journal.InUse(file);
        } catch (Journal.InUse e) {
            channel.close();
            throw e;
        } catch (IOException e) {
            // A file system without locks (some network mounts): the run goes on unguarded,
            // as it did before there was a lock.
            return channel;
        }
        return channel;
    }
}
