package dev.bulkfetch.output;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Objects;

/**
 * What went wrong with a file, in words, for every message that names one: the JDK's
 * exceptions for a missing file or a refused one carry only the path ("dl.json" said nothing
 * of a link into a missing folder), and its message for one it cannot make, no reason.
 */
public final class FileErrors {

    private FileErrors() {
    }

    /** Why, without the path: for a message that names the file itself. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file of that name is there";
        }
        if (e instanceof FileSystemException f) {
            // Without a reason its message is the path alone: the exception's name says more
            // (DirectoryNotEmptyException, "directory not empty").
            return f.getReason() != null ? f.getReason() : words(e.getClass().getSimpleName());
        }
        return Objects.toString(e.getMessage(), e.toString());
    }

    /** "DirectoryNotEmptyException" as "directory not empty". */
    private static String words(String exceptionName) {
        return exceptionName.replaceFirst("Exception$", "")
                .replaceAll("(?<=[a-z])(?=[A-Z])", " ").toLowerCase(java.util.Locale.ROOT);
    }

    /** The file and why, where the message does not name the file otherwise. */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + reason(e);
        }
        return reason(e);
    }
}
