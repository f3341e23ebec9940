package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.RawTlsServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The event loop's {@link EarlyAnswers} holds back the failed write of a request with a body
 * while its connection is read on, for an answer or the close; a request whose write fails
 * where neither can come ends at once, not at {@code --timeout}.
 */
class HeldWriteFailureTest {

    /** A minute for every timeout: the item must end long before any of them. */
    private static final EngineOptions PATIENT = new EngineOptions(8, Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofSeconds(60), 10_000, 3, null, true);

    /**
     * A server that ended TLS on a kept-alive connection (close_notify) and keeps the
     * connection open: the next POST taken from the pool fails to be written (TLS is closed
     * on this side too), and nothing can come on that connection. The write's failure was
     * held for an answer or a close, and the item waited for its whole timeout; now it ends
     * at once, as the same request without a body does.
     */
    @Test
    void aPostWhoseWriteFailsAfterTheServerEndedTlsEndsAtOnce() throws Exception {
        try (RawTlsServer server = new RawTlsServer(RawTlsServer.Mode.CLOSE_NOTIFY_KEPT_OPEN);
             Engine engine = Engine.create(EngineKind.EVENT_LOOP, PATIENT)) {
            Outcome first = engine.send(FetchRequest.get(1, URI.create(server.url("/a"))))
                    .get(30, TimeUnit.SECONDS);
            assertThat(first.status()).isEqualTo(200);
            // Sent, and so on loopback already in this side's socket as the server's write
            // returned: the connection's loop reads what has come before it runs the POST's
            // write, a task. Were that order ever to flip, the POST would be written, go
            // unanswered and fail this test by its timeout, never pass it wrongly.
            server.closeNotified().get(30, TimeUnit.SECONDS);

            Outcome post = engine.send(new FetchRequest(2, null, URI.create(server.url("/b")),
                    "POST", Map.of(), "hello".getBytes(StandardCharsets.US_ASCII)))
                    .get(30, TimeUnit.SECONDS);  // half the timeout: it waited for all of it

            assertThat(post.status()).isNull();
            assertThat(post.error().kind()).isEqualTo(ErrorKind.RESET);
        }
    }
}
