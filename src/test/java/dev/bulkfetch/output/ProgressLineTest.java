package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.input.InputItem;
import dev.bulkfetch.input.InputReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    /**
     * close() clears the line for the summary. A draw it caught half-way (its figures read,
     * its line not yet written) wrote that line after the clear, and the summary began on the
     * end of a stale progress line; the clear now waits for the draw, then comes.
     */
    @Test
    void closeClearsTheLineAfterADrawInProgressNotBeforeIt() throws Exception {
        StringWriter text = new StringWriter();
        CountDownLatch drawing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ProgressLine line = new ProgressLine(new PrintWriter(text), new Tally(), () -> {
            // The draw reads its figures before it writes: held here, it is half-way.
            // Deaf to close()'s interrupt, as a draw between two reads is.
            drawing.countDown();
            boolean interrupted = false;
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return 7;
        });
        assertThat(drawing.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closing = Thread.ofPlatform().start(line::close);
        // Until close() is either done or waiting for the draw: then let the draw go on.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (closing.getState() != Thread.State.TERMINATED
                && closing.getState() != Thread.State.BLOCKED
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        release.countDown();
        closing.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(closing.isAlive()).isFalse();
        assertThat(text.toString()).contains("7 in flight").endsWith("\r\033[K");
    }

    /** Without the input's lines (stdin, a pipe), the line is what it always was. */
    @Test
    void anInputOfUnknownLinesGetsNoLineReachedNorTimeLeft() {
        assertThat(ProgressLine.text(1_234, 10, 64, 5, 2_000, ProgressLine.LINES_UNKNOWN))
                .isEqualTo("1,234 done  123/s  64 in flight  5 errors");
    }

    /**
     * The time left is the lines not read and the items in flight at the run's rate: 1,000
     * items in 10 s is 100/s, and 9,000 lines unread and 50 in flight take 1m 31s.
     */
    @Test
    void theTimeLeftIsTheUnreadLinesAndTheItemsInFlightAtTheRunsRate() {
        assertThat(ProgressLine.text(1_000, 10, 50, 0, 1_000, 10_000))
                .isEqualTo("1,000 done  100/s  50 in flight  0 errors  line 1,000/10.0k"
                        + "  ETA 1m31s");
    }

    /**
     * A resume's line reached passes the kept items at once; the rate is of this run's items
     * done, so the time left is of what is left, not shortened by the lines skipped.
     */
    @Test
    void aResumesKeptLinesCountAsReachedNotAsDone() {
        assertThat(ProgressLine.text(10, 1, 0, 0, 99_990, 100_000))
                .endsWith("line 99.9k/100k  ETA 1s");
        assertThat(ProgressLine.text(10, 1, 0, 0, 90_010, 100_000))
                .endsWith("line 90.0k/100k  ETA 16m39s");
    }

    /** Before a second has gone, or before an item is done, the rate says nothing yet. */
    @Test
    void noTimeLeftIsSaidBeforeASecondHasGoneAndAnItemIsDone() {
        assertThat(ProgressLine.text(5, 0.5, 1, 0, 6, 100)).endsWith("line 6/100");
        assertThat(ProgressLine.text(0, 3, 1, 0, 1, 100)).endsWith("line 1/100");
        assertThat(ProgressLine.text(0, 0.5, 0, 0, 0, 100)).endsWith("0 errors");
    }

    @Test
    void theTimeLeftIsToTheSecondUnderAnHourAndToTheMinuteAfter() {
        assertThat(ProgressLine.duration(0)).isEqualTo("0s");
        assertThat(ProgressLine.duration(59)).isEqualTo("59s");
        assertThat(ProgressLine.duration(60)).isEqualTo("1m00s");
        assertThat(ProgressLine.duration(3_599)).isEqualTo("59m59s");
        assertThat(ProgressLine.duration(3_600)).isEqualTo("1h00m");
        assertThat(ProgressLine.duration(99 * 3_600 + 59 * 60 + 59)).isEqualTo("99h59m");
        assertThat(ProgressLine.duration(100 * 3_600)).isEqualTo(">99h");
    }

    @Test
    void countsPast9999AreShortenedAndRoundedDown() {
        assertThat(ProgressLine.count(9_999)).isEqualTo("9,999");
        assertThat(ProgressLine.count(10_000)).isEqualTo("10.0k");
        assertThat(ProgressLine.count(99_999)).isEqualTo("99.9k");
        assertThat(ProgressLine.count(100_000)).isEqualTo("100k");
        assertThat(ProgressLine.count(999_999)).isEqualTo("999k");
        assertThat(ProgressLine.count(1_000_000)).isEqualTo("1.00M");
        assertThat(ProgressLine.count(9_999_999)).isEqualTo("9.99M");
        assertThat(ProgressLine.count(12_345_678)).isEqualTo("12.3M");
        assertThat(ProgressLine.count(123_456_789)).isEqualTo("123M");
    }

    /**
     * A run of millions fits a terminal of 80 columns (after a review: 92, which wrapped, and
     * each redraw then left a line behind).
     */
    @Test
    void theLineOfARunOfMillionsFitsEightyColumns() {
        // 123,957 left (the lines unread, the items in flight) at 343/s: 6m01s.
        String text = ProgressLine.text(1_234_567, 3_600, 500, 123_456, 9_876_543, 10_000_000);

        assertThat(text).isEqualTo("1.23M done  343/s  500 in flight  123k errors"
                + "  line 9.87M/10.0M  ETA 6m01s");
        // The widest: every count just below its shortening, and an ETA of 99h59m.
        assertThat(ProgressLine.text(9_999, 1, 9_999, 9_999, 9_999, 3_599_000_000L))
                .isEqualTo("9,999 done  9,999/s  9,999 in flight  9,999 errors"
                        + "  line 9,999/3599M  ETA 99h58m");
        // A rate and a concurrency of hundreds of thousands are shortened too.
        assertThat(ProgressLine.text(999_999, 1, 100_000, 0, 0, ProgressLine.LINES_UNKNOWN))
                .isEqualTo("999k done  999k/s  100k in flight  0 errors");
    }

    /** The line reached is the seq of the last item read through the line's reader. */
    @Test
    void theLineReachedIsTheLastItemRead() throws Exception {
        StringWriter text = new StringWriter();
        Iterator<InputItem> items = List.<InputItem>of(
                new InputItem.Rejected(3, "a", "bad"),
                new InputItem.Rejected(7, "b", "bad")).iterator();
        InputReader input = new InputReader() {
            @Override
            public boolean hasNext() {
                return items.hasNext();
            }

            @Override
            public InputItem next() {
                return items.next();
            }

            @Override
            public void close() {
            }
        };
        try (ProgressLine line = new ProgressLine(new PrintWriter(text), new Tally(), () -> 0,
                10)) {
            InputReader read = line.reading(input);
            assertThat(line.lineReached()).isZero();
            read.next();
            assertThat(line.lineReached()).isEqualTo(3);
            read.next();
            assertThat(line.lineReached()).isEqualTo(7);
            assertThat(read.hasNext()).isFalse();
        }
    }
}
