package dev.bulkfetch.output;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * New files of unique names, as {@code Files.createTempFile} makes them, without its cost:
 * the JDK draws its names from a {@code SecureRandom}, whose security providers took 15 to
 * 20 ms of every run that writes an output file. The name need not be unguessable, only new:
 * made with {@code CREATE_NEW}, it never takes over a file that is there. Its permissions are
 * the umask's, as the output file's beside it, not the owner-only ones of the JDK's.
 */
final class TempFiles {

    private TempFiles() {
    }

    /** A new, empty file in {@code dir} named {@code prefix}, a random number, {@code suffix}. */
    static Path create(Path dir, String prefix, String suffix) throws IOException {
        while (true) {
            Path file = dir.resolve(prefix
                    + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + suffix);
            try {
                return Files.createFile(file);
            } catch (FileAlreadyExistsException taken) {
                // Drawn twice, or the user's own file: another name.
            }
        }
    }
}
