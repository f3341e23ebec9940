package dev.bulkfetch.run;

import dev.bulkfetch.input.InputItem;
import java.util.Iterator;

/**
 * Where the driver takes its items from: a finite input read as slots free up, or a live queue
 * that callers fill while the run goes on (the library's {@code fetch}).
 */
public interface Source {

    /** The next item if one is there now, else {@code null}; never waits on callers. */
    InputItem poll();

    /** True when no item will ever come again. */
    boolean exhausted();

    /**
     * Which requests, by seq, are no longer wanted (their callers cancelled them): one not yet
     * sent is not sent, and gets no record; one on the wire is ended by {@code
     * BulkRun.cancel}. Null, the default, for a source whose items are never withdrawn.
     */
    default java.util.function.LongPredicate withdrawals() {
        return null;
    }

    /** A finite input: {@link #poll()} reads the next item (a file read may block briefly). */
    static Source of(Iterator<InputItem> items) {
        return new Source() {
            @Override
            public InputItem poll() {
                return items.hasNext() ? items.next() : null;
            }

            @Override
            public boolean exhausted() {
                return !items.hasNext();
            }
        };
    }
}
