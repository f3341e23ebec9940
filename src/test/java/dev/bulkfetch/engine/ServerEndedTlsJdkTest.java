package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.BodyHandlers;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.RawTlsServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ServerEndedTlsTest} for the JDK's engines: a server that ends TLS on a kept-alive
 * connection (its close_notify) and leaves the connection open. A guard: these passed when
 * written. Every timeout is a minute and each item is given ten seconds, so one that waited
 * for its idle timeout fails by a TimeoutException, not by a measure of time.
 *
 * <p>Not here: a POST after the close_notify. On these engines it goes on the pooled
 * connection, is not sent again (retryPost is off), and ends at once as a reset, most times.
 */
class ServerEndedTlsJdkTest {

    private static final EngineOptions PATIENT = new EngineOptions(1, Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofSeconds(60), 10_000, 3, null, true);

    /**
     * Sent as soon as the first is answered, not after {@link RawTlsServer#closeNotified()}:
     * over TLS 1.2 the server's close waits for the client's close_notify, which the JDK sends
     * only as its keep-alive cache drops the connection, seconds later, when there is nothing
     * stale left to test. The close_notify follows the answer at once; whether the JDK sees it
     * before or after it writes the second GET, that GET is answered on a new connection.
     */
    @ParameterizedTest
    @EnumSource(names = {"THREADS", "VIRTUAL", "SERIAL"})
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

    /** Over TLS 1.3 the close_notify alone, which the client may write past, unanswered. */
    @ParameterizedTest
    @EnumSource(names = {"THREADS", "VIRTUAL", "SERIAL"})
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

    /** A body the close delimits ends, whole, at the close_notify. */
    @ParameterizedTest
    @EnumSource(names = {"THREADS", "VIRTUAL", "SERIAL"})
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
     * A body with a length that the close_notify cuts short ends at once, as cut: a protocol
     * error ("the connection closed after 5 of the 100 bytes the Content-Length declares"),
     * as on the event loop, not a timeout.
     */
    @ParameterizedTest
    @EnumSource(names = {"THREADS", "VIRTUAL", "SERIAL"})
    void aBodyTheCloseNotifyCutsShortEndsAtOnce(EngineKind kind) throws Exception {
        try (RawTlsServer server = new RawTlsServer(RawTlsServer.Mode.BODY_CUT_BY_CLOSE_NOTIFY);
             Engine engine = Engine.create(kind, PATIENT)) {
            Outcome cut = get(engine, server, 1)
                    .get(10, TimeUnit.SECONDS);  // not the idle timeout, a minute

            assertThat(cut.status()).isEqualTo(200);
            assertThat(cut.bytes()).isEqualTo(5);
            assertThat(cut.error()).isNotNull();
            assertThat(cut.error().kind()).as(cut.error().message())
                    .isNotEqualTo(ErrorKind.TIMEOUT);
        }
    }

    private static java.util.concurrent.CompletableFuture<Outcome> get(
            Engine engine, RawTlsServer server, long seq) {
        return engine.send(FetchRequest.get(seq, URI.create(server.url("/" + seq))));
    }

    /** The server answers one request a connection: a second answer took a second one. */
    private static void assertAnsweredOnANewConnection(Outcome second, RawTlsServer server) {
        assertThat(second.error()).isNull();
        assertThat(second.status()).isEqualTo(200);
        assertThat(server.connections()).isEqualTo(2);
    }
}
