package dev.bulkfetch.engine;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.TestServer;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How every engine records a challenge, a {@code 401} or a {@code 407}, alike: as the answer
 * it is, sent once. No engine answers a challenge itself: credentials are the item's to give
 * ({@code Authorization}).
 */
class AuthChallengeContractTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    private static final String REASON = "{\"error\":\"token expired\"}";
    private static final byte[] SPEC_BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

    /**
     * In a host that installed a default {@link Authenticator}, the JDK answered a Basic
     * challenge to a request without a body itself, with the Authenticator's credentials, and
     * again to each 401 after (20 requests in all): the event loop never does.
     */
    @ParameterizedTest
    @EnumSource
    void noEngineAnswersAChallengeWithAHostsCredentials(EngineKind kind) throws Exception {
        Authenticator before = Authenticator.getDefault();
        Authenticator.setDefault(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication("host", "secret".toCharArray());
            }
        });
        try (Engine engine = Engine.create(kind, EngineContract.options())) {
            for (String method : List.of("GET", "POST")) {
                String path = "/host-credentials/" + kind + "/" + method;
                server.wireMock().stubFor(any(urlEqualTo(path)).willReturn(
                        new Challenge(401, "WWW-Authenticate", "Basic realm=\"host\"")
                                .response()));

                Outcome outcome = engine.send(new FetchRequest(1, "1", URI.create(
                        server.url(path)), method, Map.of(),
                        method.equals("GET") ? null : SPEC_BODY)).get(10, TimeUnit.SECONDS);

                assertThat(outcome.status()).as(method + ": " + outcome).isEqualTo(401);
                List<LoggedRequest> sent = sentTo(path);
                assertThat(sent).as(method + ": sent once").hasSize(1);
                assertThat(sent.get(0).containsHeader("Authorization")).as(method).isFalse();
            }
        } finally {
            Authenticator.setDefault(before);
        }
    }

    private static List<LoggedRequest> sentTo(String path) {
        return server.wireMock().findAll(anyRequestedFor(urlEqualTo(path)));
    }

    /** A {@code status} answer with {@code header} (null: none) as its challenge. */
    private record Challenge(int status, String header, String value) {
        ResponseDefinitionBuilder response() {
            ResponseDefinitionBuilder response = aResponse().withStatus(status)
                    .withHeader("Content-Type", "application/json").withBody(REASON);
            return header == null ? response : response.withHeader(header, value);
        }

        @Override
        public String toString() {
            return status + (header == null ? " without a challenge" : " " + header + ": "
                    + value);
        }
    }
}
