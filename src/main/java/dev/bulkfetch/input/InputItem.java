package dev.bulkfetch.input;

import dev.bulkfetch.FetchRequest;

/**
 * One item read from the input: either a request to send, or a line that could not become one
 * (with the reason). Both carry the item's {@code seq}, so each still ends as exactly one record.
 */
public sealed interface InputItem {

    long seq();

    /** A line that became a request. */
    record Request(FetchRequest request) implements InputItem {
        @Override
        public long seq() {
            return request.seq();
        }
    }

    /**
     * A line that did not, and {@code problem} says why. The rest is what the line asked, as
     * far as it can be told, each null when not: {@code url} the line's URL as read, cut short
     * (a URL list's line, a spec's {@code "url"}; never a whole spec, whose headers may carry
     * secrets), {@code id} and {@code method} the line's own, {@code idIsNumber} whether
     * that id is a whole number (as {@link FetchRequest#idIsNumber()}).
     */
    record Rejected(long seq, String id, boolean idIsNumber, String url, String method,
                    String problem) implements InputItem {

        /** A line that gave only {@code url} (or null): a URL list's, an unreadable one. */
        public Rejected(long seq, String url, String problem) {
            this(seq, null, false, url, null, problem);
        }
    }
}
