package dev.bulkfetch.run;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.engine.Outcome;
import dev.bulkfetch.input.InputItem;

/** Builds the one {@link FetchResult} of an item from what happened to it. */
final class Results {

    private Results() {
    }

    static FetchResult of(FetchRequest request, Outcome outcome, int attempts, String engine) {
        FetchError error = outcome.error() != null ? outcome.error()
                : statusError(outcome.status());
        // An item the engine refused as input (a method it cannot send) was sent no times.
        int sent = error != null && error.kind() == ErrorKind.INPUT ? 0 : attempts;
        return new FetchResult(request.seq(), request.id(), request.url().toString(),
                request.method(), outcome.status(), error, sent, outcome.latencyNanos(),
                outcome.bytes(), engine, outcome.body(), null, request.idIsNumber(),
                text(outcome.answeredElsewhere(request.url())));
    }

    private static String text(java.net.URI url) {
        return url == null ? null : url.toString();
    }

    /**
     * An item ended with {@code error} before its end, after {@code sent} sends: the last
     * answer's {@code status} (null for none), time, bytes and {@code finalUrl} (null for
     * none, as {@link Outcome#answeredElsewhere} gives it).
     */
    static FetchResult cut(FetchRequest request, FetchError error, int sent, Integer status,
            long latencyNanos, long bytes, String engine, java.net.URI finalUrl) {
        return new FetchResult(request.seq(), request.id(), request.url().toString(),
                request.method(), status, error, sent, latencyNanos, bytes, engine, null, null,
                request.idIsNumber(), text(finalUrl));
    }

    static FetchResult rejected(InputItem.Rejected item) {
        return new FetchResult(item.seq(), item.id() != null ? item.id()
                : Long.toString(item.seq()), item.url(), item.method() != null ? item.method()
                : "GET", null,
                FetchError.of(ErrorKind.INPUT, "line " + item.seq() + ": " + item.problem()),
                0, 0, 0, null, null, null, item.id() != null && item.idIsNumber());
    }

    /**
     * A 2xx needs no error; 429 is rate limiting; any other status is an HTTP error. The
     * message is the status alone for each, as the kind already says what a 429 is.
     */
    static FetchError statusError(int status) {
        if (status >= 200 && status < 300) {
            return null;
        }
        return FetchError.of(status == 429 ? ErrorKind.RATE_LIMITED : ErrorKind.HTTP,
                "HTTP " + status);
    }
}
