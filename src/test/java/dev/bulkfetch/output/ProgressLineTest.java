package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
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
}
