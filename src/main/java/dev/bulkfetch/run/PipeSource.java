package dev.bulkfetch.run;

import dev.bulkfetch.input.InputItem;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * An input that may stall (stdin fed by a slow producer), read on a thread of its own into a
 * queue of {@code capacity} items, so the driver never waits on it: completions are handled
 * and Ctrl-C's grace runs while the pipe is quiet. The queue bounds the read-ahead (memory still
 * follows the concurrency), and each item read wakes the driver.
 */
public final class PipeSource implements Source {

    private final BlockingQueue<InputItem> items;
    // Written by the reader thread, read by the driver.
    private volatile boolean ended;
    private volatile RuntimeException failure;

    /** Starts reading {@code input} for {@code run}, at most {@code capacity} items ahead. */
    public PipeSource(Iterator<InputItem> input, int capacity, BulkRun run) {
        this.items = new ArrayBlockingQueue<>(Math.max(1, capacity));
        Thread.ofPlatform().name("bulkfetch-input").daemon(true).start(() -> {
            try {
                while (input.hasNext()) {
                    items.put(input.next());
                    run.wakeUp();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                ended = true;
                run.wakeUp();
            }
        });
    }

    @Override
    public InputItem poll() {
        InputItem item = items.poll();
        if (item == null && failure != null && items.isEmpty()) {
            throw failure;
        }
        return item;
    }

    @Override
    public boolean exhausted() {
        return ended && items.isEmpty();
    }
}
