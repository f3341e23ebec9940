package dev.bulkfetch.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What two paths have in common, for the checks that keep a run off its own files. */
public final class FilePaths {

    private FilePaths() {
    }

    /** Whether {@code a} and {@code b} name one file: the same path, or links to one file. */
    public static boolean sameFile(Path a, Path b) {
        if (a == null || b == null) {
            return false;
        }
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
