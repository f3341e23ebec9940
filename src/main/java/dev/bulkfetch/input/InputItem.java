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

    /** A line that did not: {@code raw} is the line as read (cut short), {@code problem} why. */
    record Rejected(long seq, String raw, String problem) implements InputItem {
    }
}
