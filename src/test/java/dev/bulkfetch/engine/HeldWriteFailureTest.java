package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
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
     * A server that ended TLS 1.2 on a kept-alive connection (close_notify) and keeps the
     * connection open, which ends this side's TLS too. A POST taken from the pool failed to be
     * written; that failure was held for an answer or a close, and the item waited for its
     * whole timeout; then it ended at once, as a reset, not sent again though it never left.
     * Now the connection is closed as the close_notify comes (ServerEndedTlsTest has TLS 1.3),
     * and the POST goes on a new connection. Taken from the pool just before that close, its
     * write still fails at once: a race no test can set up, so the POST goes once the client
     * has closed the connection (the server reads its end).
     */
    @Test
    void aPostAfterTheServerEndedTls12GoesOnANewConnection() throws Exception {
        try (RawTlsServer server = new RawTlsServer(RawTlsServer.Mode.CLOSE_NOTIFY_KEPT_OPEN);
             Engine engine = Engine.create(EngineKind.EVENT_LOOP, PATIENT)) {
            Outcome first = engine.send(FetchRequest.get(1, URI.create(server.url("/a"))))
                    .get(30, TimeUnit.SECONDS);
            assertThat(first.status()).isEqualTo(200);
            server.clientLeft().get(10, TimeUnit.SECONDS);

            Outcome post = engine.send(new FetchRequest(2, null, URI.create(server.url("/b")),
                    "POST", Map.of(), "hello".getBytes(StandardCharsets.US_ASCII)))
                    .get(10, TimeUnit.SECONDS);

            assertThat(post.status()).isEqualTo(200);
            assertThat(post.error()).isNull();
            assertThat(server.connections()).isEqualTo(2);
        }
    }
}
