package dev.bulkfetch.compare;

import dev.bulkfetch.output.LockedFile;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The removal of the folders compares without --report kept their runs' files in ({@link
 * TempFolder}) that compares killed outright (kill -9, the OOM killer, a power cut) left in
 * the system's temporary folder, each with a log of every run, for good.
 *
 * <p>Only a folder that is unmistakably one goes: in the temporary folder itself, named as
 * {@link TempFolder} names them, a folder and no link, owned by the user this compare runs as,
 * holding the lock's file ({@link TempFolder#FILE}, a file and no link) whose lock can be
 * taken, so no compare, in this JVM or another, is using it; of one held in this JVM the
 * lock's file is not even opened ({@link TempFolder#heldHere}). A compare making its folder
 * gives it that name only once it holds the lock, so a folder just made is never taken for a
 * killed compare's. The lock is held while the folder is removed, and counts only when the
 * name still stands for the file locked: another compare removing the same folder, or one
 * ending and removing its lock's file, is left to it. Links in the folder are removed, never
 * followed. On a network file system, where a lock may hold on one host alone, and on one
 * without locks, none is removed.
 *
 * <p>A folder still under the name it is made under ({@link TempFolder#isBeingMade}) is a
 * starting compare's for milliseconds, and a killed one's for good: it goes, with the same
 * care, only once it is {@link TempFolder#ABANDONED abandoned} by its last change, holding
 * nothing but the lock's file, if that, whose lock can be taken. A compare beside the sweep
 * makes its lock's file, and so changes the folder, the instant after it made it.
 */
public final class KilledTempFolders {

    // More names than this make the line on stderr a count.
    private static final int NAMED = 3;

    /**
     * What was removed: the folders' names, in {@code tmp}, and the bytes of their files.
     *
     * @param partly folders of killed compares of which some file could not be removed
     */
    public record Removed(Path tmp, List<String> names, long bytes, List<String> partly) {
        public Removed {
            names = List.copyOf(names);
            partly = List.copyOf(partly);
        }

        /** One line for stderr saying what was removed, or null when nothing was. */
        public String said() {
            if (names.isEmpty() && partly.isEmpty()) {
                return null;
            }
            String where = " in " + tmp + " (" + size(bytes) + "): ";
            if (names.isEmpty()) {
                return "compare: removed what it could of " + folders(partly.size()) + where
                        + listed(partly) + "; some of their files could not be removed";
            }
            return "compare: removed " + folders(names.size()) + where + listed(names)
                    + (partly.isEmpty() ? "" : "; of " + listed(partly)
                    + ", some files could not be removed");
        }

        private static String folders(int count) {
            return count == 1 ? "the temporary folder a killed compare left"
                    : "the temporary folders " + count + " killed compares left";
        }
    }

    private KilledTempFolders() {
    }

    /**
     * Removes from {@code java.io.tmpdir} the folders killed compares left, owned by the owner
     * of {@code mine}, a file or folder this compare made. What cannot be read or removed
     * stays, and the compare goes on all the same.
     */
    public static Removed remove(Path mine) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            return remove(tmp, Files.getOwner(mine, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            // No owner to tell a folder of this user's by: none is removed.
            return new Removed(tmp, List.of(), 0, List.of());
        }
    }

    static Removed remove(Path tmp, UserPrincipal user) {
        List<String> removed = new ArrayList<>();
        List<String> partly = new ArrayList<>();
        long[] bytes = {0};
        if (FolderLock.onNetworkFileSystem(tmp)) {
            return new Removed(tmp, removed, 0, partly);
        }
        try (var folders = Files.newDirectoryStream(tmp,
                entry -> TempFolder.isOurs(entry.getFileName().toString())
                        || TempFolder.isBeingMade(entry.getFileName().toString()))) {
            Instant abandoned = Instant.now().minus(TempFolder.ABANDONED);
            for (Path folder : folders) {
                Boolean whole = TempFolder.isOurs(folder.getFileName().toString())
                        ? removeIfKilled(folder, user, bytes)
                        : removeIfAbandoned(folder, user, abandoned, bytes);
                if (Boolean.TRUE.equals(whole)) {
                    removed.add(folder.getFileName().toString());
                } else if (Boolean.FALSE.equals(whole)) {
                    partly.add(folder.getFileName().toString());
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // The temporary folder cannot be listed: the compare needs none of this.
        }
        removed.sort(null);
        partly.sort(null);
        return new Removed(tmp, removed, bytes[0], partly);
    }

    /**
     * Removes {@code folder} when it is a killed compare's; whether it went whole, or null
     * when it is none (or a live one's), and was not touched.
     */
    private static Boolean removeIfKilled(Path folder, UserPrincipal user, long[] bytes) {
        Path file = folder.resolve(TempFolder.FILE);
        try {
            BasicFileAttributes attributes = Files.readAttributes(folder,
                    BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isDirectory()
                    || !user.equals(Files.getOwner(folder, LinkOption.NOFOLLOW_LINKS))
                    || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    || TempFolder.heldHere(folder)) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;  // gone, or not to be read: not touched
        }
        return removeUnderItsLock(folder, file, bytes);
    }

    /**
     * Removes {@code folder}, one still under the name it is made under, when a compare killed
     * as it made it left it: last changed before {@code abandoned}, holding nothing but the
     * lock's file, if that, whose lock can be taken. Whether it went whole, or null when it was
     * not touched.
     */
    private static Boolean removeIfAbandoned(Path folder, UserPrincipal user, Instant abandoned,
                                             long[] bytes) {
        Path file = folder.resolve(TempFolder.FILE);
        try {
            BasicFileAttributes attributes = Files.readAttributes(folder,
                    BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isDirectory()
                    || !attributes.lastModifiedTime().toInstant().isBefore(abandoned)
                    || !user.equals(Files.getOwner(folder, LinkOption.NOFOLLOW_LINKS))
                    || !holdsAtMostTheLocksFile(folder)) {
                return null;
            }
            if (TempFolder.fileKey(file) == null) {
                return removeUnderItsLock(folder, null, bytes);  // killed before it was made
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;  // gone, or not to be read: not touched
        }
        return removeUnderItsLock(folder, file, bytes);
    }

    /**
     * Removes {@code folder} while holding the lock of its lock's {@code file} (null: it has
     * none), unless a compare holds it (one in this JVM is refused before the file is opened)
     * or the file is no longer the one locked. Whether it went whole, or null when it was not
     * touched.
     */
    private static Boolean removeUnderItsLock(Path folder, Path file, long[] bytes) {
        LockedFile lock = null;
        try {
            if (file != null) {
                Object before = TempFolder.fileKey(file);
                lock = LockedFile.takeExisting(file, f -> new IOException("in use"));
                if (!lock.held() || before == null || !Objects.equals(before,
                        TempFolder.fileKey(file))) {
                    // No lock to tell a live compare by, or the file is no longer the one
                    // locked.
                    release(lock);
                    return null;
                }
            }
        } catch (IOException | RuntimeException e) {
            // A live compare's, gone, or not to be read: not touched, and no hold kept on it
            // (the file's key read after the lock was taken may fail too).
            release(lock);
            return null;
        }
        try {
            return removeTree(folder, bytes);
        } finally {
            release(lock);
        }
    }

    /** Whether {@code folder} holds nothing but, perhaps, the lock's file. */
    private static boolean holdsAtMostTheLocksFile(Path folder) throws IOException {
        try (var entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().equals(TempFolder.FILE)) {
                    return false;
                }
            }
            return true;
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
    }

    private static void release(LockedFile lock) {
        if (lock == null) {
            return;
        }
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel: the lock goes with it or with the process.
        }
    }

    /** Removes {@code top} and all in it, following no link; whether all of it went. */
    private static boolean removeTree(Path top, long[] bytes) {
        boolean[] whole = {true};
        try {
            Files.walkFileTree(top, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    try {
                        Files.delete(file);
                        bytes[0] += attributes.isRegularFile() ? attributes.size() : 0;
                    } catch (IOException e) {
                        whole[0] = false;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    whole[0] = false;
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    try {
                        Files.delete(dir);
                    } catch (IOException notEmpty) {
                        whole[0] = false;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            whole[0] = false;
        }
        return whole[0];
    }

    private static String listed(List<String> names) {
        return names.size() <= NAMED ? String.join(", ", names)
                : String.join(", ", names.subList(0, NAMED)) + " and "
                        + (names.size() - NAMED) + " more";
    }

    private static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
