package dev.bulkfetch.run;

import dev.bulkfetch.FetchResult;
import java.util.function.Consumer;

/**
 * Puts results back in input order. Each admitted item takes the next ordinal; a result that
 * finishes early waits here until every item before it has been written. The driver admits an
 * item only while fewer than {@code capacity} items wait or fly, so the buffer never holds more
 * than {@code capacity} results, however slow the oldest item is. Used by the driver thread only.
 */
final class ReorderWindow {

    // A slot holds a result, NONE for an item that gets no record, or null while waiting.
    private static final Object NONE = new Object();
    private final Object[] slots;
    private long nextToWrite;
    private long nextOrdinal;

    ReorderWindow(int capacity) {
        this.slots = new Object[capacity];
    }

    /** True when another item may be admitted without the buffer outgrowing its capacity. */
    boolean hasRoom() {
        return nextOrdinal - nextToWrite < slots.length;
    }

    /** The ordinal for the next admitted item. */
    long claim() {
        return nextOrdinal++;
    }

    /** Files {@code result} under {@code ordinal} and writes out every result now in order. */
    void complete(long ordinal, FetchResult result, Consumer<FetchResult> out) {
        file(ordinal, result, out);
    }

    /**
     * Item {@code ordinal} gets no record (it was never sent): the results after it are
     * written without it.
     */
    void skip(long ordinal, Consumer<FetchResult> out) {
        file(ordinal, NONE, out);
    }

    /**
     * The run stopped: writes every result held, in input order, leaving out the items still
     * waiting (they get no record, and --resume fetches them).
     */
    void drain(Consumer<FetchResult> out) {
        for (; nextToWrite < nextOrdinal; nextToWrite++) {
            int index = (int) (nextToWrite % slots.length);
            Object held = slots[index];
            slots[index] = null;
            if (held != null && held != NONE) {
                out.accept((FetchResult) held);
            }
        }
    }

    private void file(long ordinal, Object slot, Consumer<FetchResult> out) {
        slots[(int) (ordinal % slots.length)] = slot;
        int head;
        while (slots[head = (int) (nextToWrite % slots.length)] != null) {
            Object next = slots[head];
            slots[head] = null;
            nextToWrite++;
            if (next != NONE) {
                out.accept((FetchResult) next);
            }
        }
    }
}
