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
}
