package dev.bulkfetch.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A retry whose backoff is over takes its places again ahead of the items not yet started:
 * a stream of new items cannot starve it, and under --ordered the item the reorder window
 * waits for is not queued behind those it holds up.
 */
class DispatcherRetryTest {

    private final List<String> started = new ArrayList<>();

    @Test
    void aRetryGoesAheadOfItemsNotYetStarted() {
        Dispatcher<String> dispatcher = new Dispatcher<>(new Admission(1), 0,
                DispatcherRetryTest::host);
        dispatcher.enqueue("a1");
        dispatcher.enqueue("a2");
        dispatcher.promote(started::add);
        dispatcher.finished("a1");  // backs off: its permit goes to a2
        dispatcher.promote(started::add);
        dispatcher.enqueue("a3");

        dispatcher.retry("a1 again");
        dispatcher.finished("a2");
        dispatcher.promote(started::add);

        assertThat(started).containsExactly("a1", "a2", "a1 again");
        assertThat(dispatcher.readyCount()).isEqualTo(1);
    }

    @Test
    void aRetryGoesAheadOfItsHostsItemsNotYetStartedAndWaitsForItsHostsPlace() {
        Dispatcher<String> dispatcher = new Dispatcher<>(new Admission(4), 1,
                DispatcherRetryTest::host);
        dispatcher.enqueue("a1");
        dispatcher.enqueue("a2");
        dispatcher.enqueue("b1");
        dispatcher.promote(started::add);
        dispatcher.finished("a1");  // backs off: its host's place goes to a2
        dispatcher.promote(started::add);

        dispatcher.enqueue("a3");
        dispatcher.retry("a1 again");
        dispatcher.promote(started::add);
        assertThat(started).as("a's place is a2's yet").containsExactly("a1", "b1", "a2");
        assertThat(dispatcher.retryCount()).as("the run's bound counts it").isEqualTo(1);

        dispatcher.finished("a2");
        dispatcher.promote(started::add);

        assertThat(started).containsExactly("a1", "b1", "a2", "a1 again");
        assertThat(dispatcher.readyCount()).isEqualTo(1);
        assertThat(dispatcher.retryCount()).isZero();
    }

    /**
     * A start may hand its item straight back, as a retry: the count of retries held is of
     * those in the queue after it, not of the queue's length before the pass less after it.
     */
    @Test
    void aRetryHandedBackByItsStartIsCountedOnce() {
        Dispatcher<String> dispatcher = new Dispatcher<>(new Admission(2), 0,
                DispatcherRetryTest::host);
        dispatcher.retry("a1");
        dispatcher.promote(item -> {
            started.add(item);
            if (started.size() == 1) {
                dispatcher.finished(item);
                dispatcher.retry(item + " again");
            }
        });

        assertThat(started).containsExactly("a1", "a1 again");
        assertThat(dispatcher.retryCount()).isZero();
        assertThat(dispatcher.readyCount()).isZero();
    }

    private static String host(String item) {
        return item.substring(0, 1);
    }
}
