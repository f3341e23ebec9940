package dev.bulkfetch;

import java.util.Objects;

/** What went wrong with one item: a kind to branch on and a message for people. */
public record FetchError(ErrorKind kind, String message) {
    /** Checks that both parts are present. */
    public FetchError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** The error of {@code kind} with {@code message}. */
    public static FetchError of(ErrorKind kind, String message) {
        return new FetchError(kind, message);
    }
}
