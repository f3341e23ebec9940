package dev.bulkfetch.output;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * A file system without locks (NFS mounted with nolock, some FUSE mounts), where
 * {@code FileChannel.tryLock} throws, for the tests of what is held on one.
 */
public final class NoLocks {

    private NoLocks() {
    }

    /** {@link LockedFile#take}, on a file system without locks. */
    public static LockedFile take(Path file, Function<Path, ? extends IOException> inUse)
            throws IOException {
        return LockedFile.take(file, inUse, channel -> {
            throw new IOException("No locks available");
        });
    }
}
