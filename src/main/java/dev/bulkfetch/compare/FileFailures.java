package dev.bulkfetch.compare;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Objects;

/** A file that could not be made, read or written, said with its path and why. */
final class FileFailures {

    private FileFailures() {
    }

    /**
     * The file and what went wrong with it: a NoSuchFileException's message is only the path,
     * which said neither that it was missing nor what for.
     */
    static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            String why = e instanceof NoSuchFileException ? "no such file or folder"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileAlreadyExistsException ? "a file of that name is there"
                    : f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
            return f.getFile() + ": " + why;
        }
        return Objects.toString(e.getMessage(), e.toString());
    }
}
