package dev.bulkfetch.engine;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static dev.bulkfetch.engine.EngineContract.fetch;
import static dev.bulkfetch.engine.EngineContract.tlsOptions;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.RawTlsServer;
import dev.bulkfetch.testing.RefusedPort;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A {@code connect} error that came in the TLS handshake is marked so on every engine, for the
 * run's end to tell a server that answered from one that is down. Their records' words are the
 * same on every engine: for plain HTTP on the port and a handshake the server ends
 * (FailureWordsContractTest), and for a refused certificate (RefusedCertificateContractTest).
 */
class TlsHandshakeContractTest {

    private static WireMockServer server;

    @BeforeAll
    static void start() {
        // Its certificate is WireMock's own, self-signed: trusted only by tlsOptions().
        server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1")
                .dynamicPort().dynamicHttpsPort().notifier(new Slf4jNotifier(false)));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @ParameterizedTest
    @EnumSource
    void aFailedHandshakeIsMarkedAsTlsAndARefusedConnectionIsNot(EngineKind kind)
            throws Exception {
        Outcome untrusted = fetch(kind, "https://127.0.0.1:" + server.httpsPort() + "/");
        Outcome plainHttp = fetch(kind, "https://127.0.0.1:" + server.port() + "/");
        Outcome closed;
        try (RawServer closing = new RawServer(RawServer.Mode.CLOSE_AFTER_FIRST_BYTES)) {
            closed = fetch(kind, closing.url("/").replaceFirst("^http:", "https:"),
                    tlsOptions());
        }
        Outcome refused;
        try (RefusedPort port = new RefusedPort()) {
            refused = fetch(kind, port.url("/"));
        }
        Outcome trusted = fetch(kind, "https://127.0.0.1:" + server.httpsPort() + "/",
                tlsOptions());

        for (Outcome tls : new Outcome[] {untrusted, plainHttp, closed}) {
            assertThat(tls.error().kind()).as(tls.error().message())
                    .isEqualTo(ErrorKind.CONNECT);
            assertThat(tls.tls()).as(tls.error().message()).isTrue();
        }
        assertThat(refused.error().kind()).isEqualTo(ErrorKind.CONNECT);
        assertThat(refused.tls()).isFalse();
        assertThat(trusted.status()).isEqualTo(200);
        assertThat(trusted.tls()).isFalse();
    }

    /**
     * Every engine speaks HTTP/1.1 over TLS, to a server that offers h2 (WireMock's Jetty does,
     * by ALPN): AHC 3.0.3 and later offer it by default, and the event loop would have spoken
     * HTTP/2 where the other engines speak HTTP/1.1, to be compared on a different wire.
     */
    @ParameterizedTest
    @EnumSource
    void everyEngineSpeaksHttp11OverTlsToAServerOfferingH2(EngineKind kind) throws Exception {
        server.resetRequests();
        Outcome trusted = fetch(kind, "https://127.0.0.1:" + server.httpsPort() + "/h2",
                tlsOptions());

        assertThat(trusted.status()).isEqualTo(200);
        assertThat(server.getAllServeEvents()).singleElement()
                .satisfies(served -> assertThat(served.getRequest().getProtocol())
                        .isEqualTo("HTTP/1.1"));
    }

    /**
     * A reset in the handshake is a TLS failure on every engine: the JDK's engines said only
     * "Connection reset" of it, as of a server failing before any TLS, so the run's end asked
     * whether the server was up.
     */
    @ParameterizedTest
    @EnumSource
    void aResetInTheHandshakeIsMarkedAsTls(EngineKind kind) throws Exception {
        Outcome reset;
        try (RawServer resetting = new RawServer(RawServer.Mode.RESET_AFTER_FIRST_BYTES)) {
            reset = fetch(kind, resetting.url("/").replaceFirst("^http:", "https:"),
                    tlsOptions());
        }

        assertThat(reset.status()).isNull();
        assertThat(reset.error().kind()).as(reset.error().message())
                .isEqualTo(ErrorKind.CONNECT);
        assertThat(reset.tls()).as(reset.error().message()).isTrue();
        assertThat(reset.error().message()).containsIgnoringCase("reset")
                .containsIgnoringCase("handshake");
    }

    /**
     * From review: a server that asks for a client certificate but takes a client without one
     * (kube-apiserver, nginx's optional verify) and resets a connection after the request came
     * is a reset, on every engine, not a refused handshake: a connect error says nothing was
     * sent, and the run would send a POST again. For a while its drop before an answer was
     * read as the certificate's refusal, and a POST the server had got went three times.
     */
    @ParameterizedTest
    @EnumSource
    void aResetAfterTheRequestWhereACertificateWasOptionalIsAResetNotARefusal(EngineKind kind)
            throws Exception {
        Outcome reset;
        int requests;
        try (RawTlsServer optional = new RawTlsServer(
                RawTlsServer.Mode.RESET_AFTER_REQUEST_CERTIFICATE_OPTIONAL);
             Engine engine = Engine.create(kind, tlsOptions())) {
            reset = engine.send(new FetchRequest(1, null, URI.create(optional.url("/create")),
                    "POST", Map.of("Content-Type", "application/json"),
                    "{}".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            requests = optional.requests();
        }

        assertThat(reset.status()).isNull();
        assertThat(reset.error().kind()).as(reset.error().message())
                .isEqualTo(ErrorKind.RESET);
        assertThat(reset.tls()).isFalse();
        assertThat(requests).isEqualTo(1);
    }

    /**
     * A TLS error on a connection whose handshake was done (a record that fails its MAC, in
     * place of the answer or in its body) is that connection's protocol failing, on every
     * engine, as the event loop had it: the JDK's engines took any TLS error for one of the
     * handshake, a connect error counted among the run's TLS failures.
     */
    @ParameterizedTest
    @EnumSource
    void aTlsErrorAfterTheHandshakeIsAProtocolErrorNotAFailedHandshake(EngineKind kind)
            throws Exception {
        Outcome unanswered;
        try (RawTlsServer bad = new RawTlsServer(RawTlsServer.Mode.BAD_RECORD)) {
            unanswered = fetch(kind, bad.url("/"), tlsOptions());
        }
        Outcome cut;
        try (RawTlsServer bad = new RawTlsServer(RawTlsServer.Mode.BAD_RECORD_IN_BODY)) {
            cut = fetch(kind, bad.url("/"), tlsOptions());
        }

        assertThat(unanswered.status()).isNull();
        assertThat(cut.status()).isEqualTo(200);
        assertThat(cut.bytes()).isEqualTo(10);
        for (Outcome failed : new Outcome[] {unanswered, cut}) {
            assertThat(failed.error().kind()).as(failed.error().message())
                    .isEqualTo(ErrorKind.PROTOCOL);
            assertThat(failed.tls()).isFalse();
            assertThat(failed.unsent()).isFalse();
        }
    }
}
