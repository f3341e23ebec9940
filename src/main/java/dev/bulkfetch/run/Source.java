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
     * True when the request {@code seq} is no longer wanted (its caller cancelled it): if not
     * sent yet, it is not sent, and gets no record.
     */
    default boolean withdrawn(long seq) {
        return false;
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
