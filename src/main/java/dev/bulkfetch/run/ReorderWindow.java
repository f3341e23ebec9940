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

    private final FetchResult[] slots;
    private long nextToWrite;
    private long nextOrdinal;

    ReorderWindow(int capacity) {
        this.slots = new FetchResult[capacity];
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
        slots[(int) (ordinal % slots.length)] = result;
        int head;
        while (slots[head = (int) (nextToWrite % slots.length)] != null) {
            FetchResult next = slots[head];
            slots[head] = null;
            nextToWrite++;
            out.accept(next);
        }
    }
}
