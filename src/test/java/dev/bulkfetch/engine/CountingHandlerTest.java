package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.ErrorKind;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/**
 * How the event loop's handler words an exchange that failed, where AHC's words alone would
 * mislead.
 */
class CountingHandlerTest {

    private static final dev.bulkfetch.FetchRequest POST = dev.bulkfetch.FetchRequest
            .builder(1, java.net.URI.create("http://127.0.0.1:1/")).method("POST").build();

    /**
     * AHC's request timeout closes the connection, then fails the exchange; the close may fail
     * the request's write first, with a closed channel. Past the item's deadline that is the
     * timeout, as the other engines and every other run of the same server say (a stalled
     * upload read "connection closed", a reset, now and then: found by review).
     */
    @Test
    void aCloseOnceTheItemsDeadlineHasPassedIsItsTimeout() {
        EngineOptions options = EngineContract.deadlines();
        long start = System.nanoTime() - options.requestTimeout().toNanos();
        CountingHandler handler = new CountingHandler(options, start, POST, () -> false);

        Outcome outcome = handler.failed(new ClosedChannelException()).outcome();

        assertThat(outcome.error().kind()).isEqualTo(ErrorKind.TIMEOUT);
        assertThat(outcome.error().message()).isEqualTo("timed out: request took longer than "
                + options.requestTimeout().toMillis() + " ms");
    }

    /** Before the deadline a close is the server's: a reset. */
    @Test
    void aCloseBeforeTheDeadlineIsAReset() {
        CountingHandler handler = new CountingHandler(EngineContract.deadlines(),
                System.nanoTime(), POST, () -> false);

        Outcome outcome = handler.failed(new ClosedChannelException()).outcome();

        assertThat(outcome.error().kind()).isEqualTo(ErrorKind.RESET);
    }
}
