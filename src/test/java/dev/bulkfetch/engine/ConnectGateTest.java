package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.RawServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.HttpsURLConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A blocking exchange that is over opens no new connection, whoever asks for it: the JDK
 * opens connections of its own (a request lost with its kept-alive connection goes again on
 * a new one, and {@code getInputStream()} opens one afresh after the deadline's abort), and
 * waited on such a one for the time the request had left, twice --timeout in all. The JDK
 * asks the engine's TLS socket factory for each; an exchange past its deadline or closing
 * refuses there, and no connection reaches the server.
 */
class ConnectGateTest {

    private static final EngineOptions OPTIONS = new EngineOptions(8, Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofSeconds(5), 10_000, 3, null, true);

    /**
     * The JDK asks for a socket on the thread of an exchange whose deadline has passed: it is
     * refused, as that timeout, and nothing reaches the server.
     */
    @Test
    void theJdkIsRefusedANewConnectionForAnExchangePastItsDeadline() throws Exception {
        try (RawServer server = new RawServer(RawServer.Mode.CLOSE_AFTER_FIRST_BYTES)) {
            HttpsURLConnection conn = (HttpsURLConnection) URI.create(https(server))
                    .toURL().openConnection(java.net.Proxy.NO_PROXY);
            conn.setSSLSocketFactory(TlsHandshakes.watching(Insecure::sockets));
            ConnectGate.enter(() -> {
                throw new ConnectGate.Refused(
                        new java.net.SocketTimeoutException("request deadline passed"));
            });
            try {
                assertThatThrownBy(conn::connect)
                        .satisfies(e -> assertThat(ConnectGate.refusal(e)).isNotNull());
            } finally {
                ConnectGate.leave();
            }
            assertThat(server.connections()).as("connections the server accepted").isZero();
        }
    }

    /**
     * The engine's close lands after the exchange last asked whether it is closing and before
     * the JDK connects (here: its second question): the item is cancelled with nothing sent.
     * Before, the connection was made and the request went on, the close having passed it.
     */
    @Test
    void aCloseBetweenTheExchangesCheckAndTheConnectOpensNoConnection() throws Exception {
        try (RawServer server = new RawServer(RawServer.Mode.CLOSE_AFTER_FIRST_BYTES)) {
            AtomicInteger asked = new AtomicInteger();
            BlockingExchange exchange = new BlockingExchange(new BlockingExchange.Context(
                    OPTIONS, HostGuard.of(OPTIONS), RedirectGate.OPEN, new JdkIdleCap(64),
                    TlsHandshakes.watching(Insecure::sockets),
                    () -> asked.incrementAndGet() > 1, () -> { }),
                    System.nanoTime() + OPTIONS.requestTimeout().toNanos());

            Outcome outcome = exchange.outcome(FetchRequest.get(1, URI.create(https(server))),
                    System.nanoTime());

            assertThat(outcome.error().kind()).isEqualTo(ErrorKind.CANCELLED);
            assertThat(server.connections()).as("connections the server accepted").isZero();
        }
    }

    /**
     * End to end: an https request whose server never finishes the handshake times out at
     * its deadline, having opened one connection, not a second one after it.
     */
    @ParameterizedTest
    @EnumSource(names = {"THREADS", "VIRTUAL", "SERIAL"})
    void aTimedOutHttpsRequestOpenedOneConnection(EngineKind kind) throws Exception {
        EngineOptions patientReads = new EngineOptions(8, Duration.ofSeconds(2),
                Duration.ofSeconds(1), Duration.ofSeconds(20), 10_000, 3, null, true);
        try (RawServer server = new RawServer(RawServer.Mode.NEVER_ANSWER);
             Engine engine = Engine.create(kind, patientReads)) {
            Outcome outcome = engine.send(FetchRequest.get(1, URI.create(https(server))))
                    .get(30, TimeUnit.SECONDS);

            assertThat(outcome.error().kind()).isEqualTo(ErrorKind.TIMEOUT);
            // Under twice the timeout, which a second connection's wait would reach: a loaded
            // machine's margin beyond that is the connection count's to catch.
            assertThat(outcome.latencyNanos()).isLessThan(Duration.ofMillis(2000).toNanos());
            assertThat(server.connections()).as("connections the server accepted").isEqualTo(1);
        }
    }

    private static String https(RawServer server) {
        return server.url("/").replaceFirst("^http:", "https:");
    }
}
