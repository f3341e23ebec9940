package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.FetchResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReorderWindowTest {

    private static FetchResult result(long seq) {
        return new FetchResult(seq, Long.toString(seq), "http://h.test/" + seq, "GET", 200, null,
                1, 0, 0, "test", null, null);
    }

    /** An item never sent (taken back at Ctrl-C) must not hold back the records after it. */
    @Test
    void anItemWithoutARecordNoLongerHoldsBackTheOnesAfterIt() {
        ReorderWindow window = new ReorderWindow(4);
        List<Long> written = new ArrayList<>();
        long first = window.claim();
        long second = window.claim();
        long third = window.claim();

        window.complete(third, result(3), r -> written.add(r.seq()));
        window.complete(first, result(1), r -> written.add(r.seq()));
        assertThat(written).containsExactly(1L);

        window.skip(second, r -> written.add(r.seq()));
        assertThat(written).containsExactly(1L, 3L);
        assertThat(window.hasRoom()).isTrue();
    }

    /** A stopped run writes what it holds for order: dropped, it was fetched again. */
    @Test
    void drainingWritesEveryHeldResultInOrderPastTheOnesStillWaiting() {
        ReorderWindow window = new ReorderWindow(4);
        List<Long> written = new ArrayList<>();
        long first = window.claim();
        long second = window.claim();
        long third = window.claim();
        long fourth = window.claim();
        window.complete(fourth, result(4), r -> written.add(r.seq()));
        window.complete(second, result(2), r -> written.add(r.seq()));
        assertThat(written).isEmpty();

        window.drain(r -> written.add(r.seq()));

        assertThat(written).containsExactly(2L, 4L);
        assertThat(window.hasRoom()).isTrue();
        assertThat(first).isZero();
        assertThat(third).isEqualTo(2);
    }
}
