package dev.bulkfetch;

import java.util.Objects;

/** What went wrong with one item: a kind to branch on and a message for people. */
public record FetchError(ErrorKind kind, String message) {
    public FetchError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    public static FetchError of(ErrorKind kind, String message) {
        return new FetchError(kind, message);
    }
}
