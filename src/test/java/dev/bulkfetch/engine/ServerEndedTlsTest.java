package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.BodyHandlers;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.RawTlsServer;
import dev.bulkfetch.testing.UploadServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server that ends TLS on a kept-alive connection (its close_notify) and leaves the
 * connection open, on every engine. The event loop's {@link EarlyAnswers} closes that
 * connection as the close_notify comes, when no answer is under way, so the next request goes
 * on a new one. Over TLS 1.3 the client may still write after the server's close_notify: the
 * connection stayed in the pool, the next request went on it, unanswered, and waited for the
 * idle timeout. The JDK's engines passed these when written; they are here as a guard. Not
 * for them: a POST after the close_notify, which goes on the pooled connection, is not sent
 * again (retryPost is off) and most times ends at once as a reset.
 */
class ServerEndedTlsTest {

    /** A minute for every timeout: each item must end long before any of them. */
    private static final EngineOptions PATIENT = new EngineOptions(1, Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofSeconds(60), 10_000, 3, null, true);

    /**
     * Sent as soon as the first is answered, not after {@link RawTlsServer#closeNotified()}:
     * over TLS 1.2 the server's close waits for the client's close_notify, which the JDK sends
     * only as its keep-alive cache drops the connection, seconds later, when there is nothing
     * stale left to test. The close_notify follows the answer at once; whether the client sees
     * it before or after it writes the second GET, that GET is answered on a new connection.
     */
    @ParameterizedTest
    @EnumSource
    void aGetAfterTheServerEndedTls12IsAnsweredOnANewConnection(EngineKind kind)
            throws Exception {
        try (RawTlsServer server = new RawTlsServer(RawTlsServer.Mode.CLOSE_NOTIFY_KEPT_OPEN);
             Engine engine = Engine.create(kind, PATIENT)) {
            assertThat(get(engine, server, 1).get(30, TimeUnit.SECONDS).status()).isEqualTo(200);

            Outcome second = get(engine, server, 2)
                    .get(10, TimeUnit.SECONDS);  // not the idle timeout, a minute

            assertAnsweredOnANewConnection(second, server);
        }
    }

    /**
     * Sent as soon as the server's close_notify has gone: taken from the pool before the
     * connection is closed, it fails unanswered and goes again (a GET may); either way it is
     * answered on a new connection. The event loop waited for the idle timeout.
     */
    @ParameterizedTest
    @EnumSource
    void aGetAfterTheServerEndedTls13IsAnsweredOnANewConnection(EngineKind kind)
            throws Exception {
        try (RawTlsServer server = new RawTlsServer(
                RawTlsServer.Mode.CLOSE_NOTIFY_KEPT_OPEN_TLS_1_3);
             Engine engine = Engine.create(kind, PATIENT)) {
            assertThat(get(engine, server, 1).get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
            server.closeNotified().get(30, TimeUnit.SECONDS);

            Outcome second = get(engine, server, 2)
                    .get(10, TimeUnit.SECONDS);  // not the idle timeout, a minute

            assertAnsweredOnANewConnection(second, server);
        }
    }

    /**
     * A POST is not sent again, so it is sent once the client has closed the connection (the
     * server reads its end): it may not be taken from the pool then, and goes on a new one.
     * Taken from the pool in the instant before that close, its write fails at once and it
     * ends as a reset: a race no test can set up. Over TLS 1.2, where the close_notify ends
     * this side's TLS too, the POST's write failed on the pooled connection; the failure was
     * held for an answer or a close (EarlyAnswers), and the item waited for its whole
     * timeout, then ended at once as a reset, not sent again though it never left.
     */
    @ParameterizedTest
    @EnumSource(names = {"CLOSE_NOTIFY_KEPT_OPEN", "CLOSE_NOTIFY_KEPT_OPEN_TLS_1_3"})
    void aPostAfterTheServerEndedTlsGoesOnANewConnection(RawTlsServer.Mode mode)
            throws Exception {
        try (RawTlsServer server = new RawTlsServer(mode);
             Engine engine = Engine.create(EngineKind.EVENT_LOOP, PATIENT)) {
            Outcome first = engine.send(FetchRequest.get(1, URI.create(server.url("/a"))))
                    .get(30, TimeUnit.SECONDS);
            assertThat(first.status()).isEqualTo(200);
            // The connection was kept open, in the pool, until the idle timeout.
            server.clientLeft().get(10, TimeUnit.SECONDS);

            Outcome post = engine.send(new FetchRequest(2, null, URI.create(server.url("/b")),
                    "POST", Map.of(), "hello".getBytes(StandardCharsets.US_ASCII)))
                    .get(10, TimeUnit.SECONDS);

            assertThat(post.status()).isEqualTo(200);
            assertThat(post.error()).isNull();
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    /**
     * An answer under way as the close_notify comes ends as before: here a 2xx kept alive,
     * come whole while the request's body was still going, whose exchange ends as the body
     * has gone (EarlyAnswers). Its connection is then not kept: AHC had pooled it, and the
     * next request went on it and waited for the idle timeout.
     */
    @Test
    void anAnswerUnderWayAsTheServerEndsTlsEndsAndItsConnectionIsNotKept() throws Exception {
        try (UploadServer server = UploadServer.acceptingEarlyThenEndingTls();
             Engine engine = Engine.create(EngineKind.EVENT_LOOP, PATIENT)) {
            // Far more than the server's fixed buffer and this side's can hold.
            byte[] body = new byte[16 << 20];
            java.util.Arrays.fill(body, (byte) 'u');
            Outcome post = engine.send(new FetchRequest(1, null, URI.create(server.url("/a")),
                    "POST", Map.of(), body)).get(30, TimeUnit.SECONDS);
            assertThat(post.status()).isEqualTo(200);
            assertThat(post.error()).isNull();
            assertThat(server.awaitReceived(1, Duration.ofSeconds(10))).isTrue();
            assertThat(server.received().getFirst().body()).isEqualTo(body.length + " bytes");

            Outcome second = engine.send(FetchRequest.get(2, URI.create(server.url("/b"))))
                    .get(10, TimeUnit.SECONDS);  // it waited for the idle timeout, a minute

            assertThat(second.status()).isEqualTo(200);
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    /**
     * A body the close delimits ends at the close_notify, after which nothing can come: a Go
     * or OpenSSL server over TLS 1.3 sends it alone and leaves the connection open. The event
     * loop waited for the close, and the whole body ended as a timeout at the idle timeout.
     */
    @ParameterizedTest
    @EnumSource
    void aBodyTheCloseDelimitsEndsAtTheCloseNotify(EngineKind kind) throws Exception {
        try (RawTlsServer server = new RawTlsServer(RawTlsServer.Mode.BODY_ENDED_BY_CLOSE_NOTIFY);
             Engine engine = Engine.create(kind, PATIENT.withBodyHandler(BodyHandlers.text()))) {
            Outcome answer = get(engine, server, 1)
                    .get(10, TimeUnit.SECONDS);  // not the idle timeout, a minute

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.error()).isNull();
            assertThat(answer.body()).isEqualTo("hello");
        }
    }

    /**
     * A body with a length that the close_notify cuts short ends at once, as cut (on the
     * event loop it waited for the idle timeout, and ended as a timeout).
     */
    @ParameterizedTest
    @EnumSource
    void aBodyTheCloseNotifyCutsShortEndsAtOnce(EngineKind kind) throws Exception {
        try (RawTlsServer server = new RawTlsServer(RawTlsServer.Mode.BODY_CUT_BY_CLOSE_NOTIFY);
             Engine engine = Engine.create(kind, PATIENT)) {
            Outcome cut = get(engine, server, 1)
                    .get(10, TimeUnit.SECONDS);  // not the idle timeout, a minute

            assertThat(cut.status()).isEqualTo(200);
            assertThat(cut.bytes()).isEqualTo(5);
            // As for a body the connection's close cuts short, not a timeout.
            assertThat(cut.error().kind()).as(cut.error().message())
                    .isEqualTo(ErrorKind.PROTOCOL);
        }
    }

    private static CompletableFuture<Outcome> get(Engine engine, RawTlsServer server,
                                                  long seq) {
        return engine.send(FetchRequest.get(seq, URI.create(server.url("/" + seq))));
    }

    /** The server answers one request a connection: a second answer took a second one. */
    private static void assertAnsweredOnANewConnection(Outcome second, RawTlsServer server) {
        assertThat(second.error()).isNull();
        assertThat(second.status()).isEqualTo(200);
        assertThat(server.connections()).isEqualTo(2);
    }
}
