package dev.bulkfetch.input;

import java.io.IOException;

/** The input as a whole cannot be read (missing file, no permission): the run cannot start. */
public final class InputUnavailableException extends IOException {
    public InputUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
