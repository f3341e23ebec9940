package dev.bulkfetch.engine;

import static dev.bulkfetch.engine.EngineContract.fetch;
import static dev.bulkfetch.engine.EngineContract.tlsOptions;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.LocalNamesOnly;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.RefusedPort;
import dev.bulkfetch.testing.TestServer;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection that fails is the same error on every engine: refused, ended during its
 * TLS handshake or refused there for want of a client certificate, or reset and garbled
 * by the server (WireMock's faults).
 */
class ConnectionFailureContractTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    /**
     * A server that closes or resets the connection in the middle of the TLS handshake: no
     * connection was made, a connect error on every engine. A close read {@code reset} on the
     * event loop and {@code connect} on the JDK's; a reset read {@code reset} on all. Each
     * says no more than its client knows: the event loop, told only that its channel closed
     * during the handshake, said "the server closed the connection" of a reset too.
     */
    @ParameterizedTest
    @EnumSource
    void aConnectionEndedDuringTheTlsHandshakeIsAConnectError(EngineKind kind) throws Exception {
        for (RawServer.Mode mode : new RawServer.Mode[] {
                RawServer.Mode.CLOSE_AFTER_FIRST_BYTES, RawServer.Mode.RESET_AFTER_FIRST_BYTES}) {
            try (RawServer ending = new RawServer(mode);
                 Engine engine = Engine.create(kind, tlsOptions())) {
                Outcome outcome = engine.send(FetchRequest.get(1, URI.create(
                        ending.url("/").replaceFirst("^http:", "https:"))))
                        .get(20, TimeUnit.SECONDS);
                assertThat(outcome.error().kind()).as(mode + ": " + outcome.error().message())
                        .isEqualTo(ErrorKind.CONNECT);
                assertThat(outcome.error().message()).startsWith("could not connect: ")
                        .doesNotContain("Exception")
                        .containsIgnoringCase(mode == RawServer.Mode.CLOSE_AFTER_FIRST_BYTES
                                ? "handshake" : "reset");
            }
        }
    }

    /**
     * A TLS 1.3 server that wants a client certificate refuses the connection only after the
     * client's side of the handshake is done. The event loop read its alert as a connect error;
     * the JDK's engines, whose write of the request then failed, a {@code protocol} error
     * ("Error writing to server").
     */
    @ParameterizedTest
    @EnumSource
    void aServerThatWantsAClientCertificateIsAConnectError(EngineKind kind, @TempDir Path dir)
            throws Exception {
        // WireMock's own key store, from its jar, as the trust store: it takes only a file.
        Path trusted = dir.resolve("keystore");
        try (InputStream in = WireMockServer.class.getClassLoader()
                .getResourceAsStream("keystore")) {
            Files.copy(in, trusted);
        }
        WireMockServer mtls = new WireMockServer(WireMockConfiguration.options()
                .dynamicPort().dynamicHttpsPort().bindAddress("127.0.0.1")
                .needClientAuth(true)
                .trustStorePath(trusted.toString()).trustStorePassword("password")
                .notifier(new Slf4jNotifier(false)));
        mtls.start();
        try {
            try (Engine engine = Engine.create(kind, tlsOptions())) {
                Outcome outcome = engine.send(FetchRequest.get(1, URI.create(
                        "https://127.0.0.1:" + mtls.httpsPort() + "/"))).get(20, TimeUnit.SECONDS);
                assertThat(outcome.status()).isNull();
                assertThat(outcome.error().kind()).as(outcome.error().message())
                        .isEqualTo(ErrorKind.CONNECT);
            }
        } finally {
            mtls.stop();
        }
    }

    @ParameterizedTest
    @EnumSource
    void aRefusedConnectionIsAConnectError(EngineKind kind) throws Exception {
        Outcome refused;
        try (RefusedPort port = new RefusedPort()) {
            refused = fetch(kind, port.url("/x"));
        }
        assertThat(refused.error().kind()).isEqualTo(ErrorKind.CONNECT);
        // In the same words: the event loop's said "finishConnect(..) failed: ", Netty's call.
        assertThat(refused.error().message()).isEqualTo("could not connect: Connection refused");
    }

    /**
     * A network the machine has no route to reads the same on every engine, never as the
     * event loop's "could not connect: null: /224.0.0.1:...". Linux refuses a TCP connection
     * to a multicast address as unreachable (ENETUNREACH) before sending anything, so this
     * needs no network. Netty cannot tell ENETUNREACH from EHOSTUNREACH (a NoRouteToHost
     * without a message for both), so the event loop names both.
     */
    @ParameterizedTest
    @EnumSource
    void anUnreachableNetworkIsAConnectErrorThatSaysSo(EngineKind kind) throws Exception {
        Outcome unreachable = fetch(kind, "http://224.0.0.1:18332/x");

        assertThat(unreachable.error().kind()).isEqualTo(ErrorKind.CONNECT);
        assertThat(unreachable.error().message())
                .startsWith("could not connect: Network is unreachable")
                .doesNotContain("null");
        assertThat(unreachable.unsent()).isTrue();
    }

    /**
     * A host that does not resolve is named, in the same words, on every engine: the event
     * loop's read "could not connect: no-such-host.invalid: Name or service not known" and the
     * JDK's engines' "could not connect: no-such-host.invalid", which said nothing of names. A
     * {@code .invalid} name never resolves (RFC 6761).
     */
    @ParameterizedTest
    @EnumSource
    void anUnknownHostIsAConnectErrorThatSaysItCouldNotBeResolved(EngineKind kind)
            throws Exception {
        // A name of its own: the JDK keeps a failed lookup for 10 s, and the next engine's, or
        // a rerun's, would not reach the resolver.
        String host = "no-such-host-" + java.util.UUID.randomUUID() + ".invalid";
        int lookups = LocalNamesOnly.failed();
        Outcome unknown = fetch(kind, "http://" + host + "/x");

        // Asked of the tests' resolver, never of the machine's name server.
        assertThat(LocalNamesOnly.failed()).isGreaterThan(lookups);
        assertThat(unknown.error().kind()).isEqualTo(ErrorKind.CONNECT);
        assertThat(unknown.error().message()).isEqualTo("could not resolve host: " + host);
        assertThat(unknown.unsent()).isTrue();
    }

    @ParameterizedTest
    @EnumSource
    void wireMockFaultsAreClassified(EngineKind kind) throws Exception {
        assertThat(fetch(kind, server.url("/fault/CONNECTION_RESET_BY_PEER/1")).error().kind())
                .isEqualTo(ErrorKind.RESET);
        assertThat(fetch(kind, server.url("/fault/EMPTY_RESPONSE/1")).error().kind())
                .isEqualTo(ErrorKind.RESET);
        assertThat(fetch(kind, server.url("/fault/MALFORMED_RESPONSE_CHUNK/1")).error().kind())
                .isEqualTo(ErrorKind.PROTOCOL);
        assertThat(fetch(kind, server.url("/fault/RANDOM_DATA_THEN_CLOSE/1")).error().kind())
                .isEqualTo(ErrorKind.PROTOCOL);
    }
}
