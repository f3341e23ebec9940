package dev.bulkfetch.engine;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.bulkfetch.engine.EngineContract.fetch;
import static dev.bulkfetch.engine.EngineContract.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.TestServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How every engine follows redirects, alike: up to the limit and no further, a POST's 302
 * as a GET, a Location with a space or given twice, and an item's credentials kept from
 * other origins.
 */
class RedirectContractTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    /** Another origin (another port) for redirects that leave the first. */
    @RegisterExtension
    static final TestServer elsewhere = new TestServer();

    @ParameterizedTest
    @EnumSource
    void aPostRedirectedWith302IsFollowedAsAGet(EngineKind kind) throws Exception {
        server.wireMock().stubFor(post(urlEqualTo("/form"))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "/ok/1")));
        try (Engine engine = Engine.create(kind, options())) {
            Outcome posted = engine.send(new FetchRequest(1, null,
                    URI.create(server.url("/form")), "POST", Map.of(),
                    "a=1".getBytes(StandardCharsets.UTF_8)))
                    .get(10, TimeUnit.SECONDS);
            assertThat(posted.status()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource
    void redirectsAreFollowedUpToTheLimit(EngineKind kind) throws Exception {
        assertThat(fetch(kind, server.url("/redirect/1")).status()).isEqualTo(200);
        Outcome loop = fetch(kind, server.url("/loop/1"));
        assertThat(loop.status()).isEqualTo(302);
        assertThat(loop.error().kind()).isEqualTo(ErrorKind.HTTP);
        assertThat(loop.error().message())
                .isEqualTo("HTTP 302: more than 3 redirects"
                        + " (--max-redirects 3, the library's maxRedirects)");
    }

    /**
     * A redirect beyond the limit ends the item as --max-redirects 0 ends it at the first: the
     * 3xx not followed is the answer, an {@code http} error keeping its status, whose message
     * says in bulkfetch's words which limit it passed.
     */
    @ParameterizedTest
    @EnumSource
    void aRedirectBeyondTheLimitKeepsItsStatusAndNamesTheLimit(EngineKind kind)
            throws Exception {
        String prefix = "/beyond/" + kind.cliName() + "/";
        server.wireMock().stubFor(get(urlEqualTo(prefix + 1))
                .willReturn(aResponse().withStatus(301).withHeader("Location", prefix + 2)));
        server.wireMock().stubFor(get(urlEqualTo(prefix + 2))
                .willReturn(aResponse().withStatus(307).withHeader("Location", prefix + 3)));
        EngineOptions one = new EngineOptions(8, Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(5), 10_000, 1, null, false);
        Outcome beyond = fetch(kind, server.url(prefix + 1), one);
        assertThat(beyond.status()).isEqualTo(307);
        assertThat(beyond.error().kind()).isEqualTo(ErrorKind.HTTP);
        assertThat(beyond.error().message())
                .isEqualTo("HTTP 307: more than 1 redirect"
                        + " (--max-redirects 1, the library's maxRedirects)");
        assertThat(beyond.redirected()).isTrue();
        assertThat(beyond.bytes()).isZero();
    }

    /**
     * Every engine names the URL a chain ended at: the last request's, on another origin
     * too; past the limit, or refused (to ftp:), the URL that answered with the redirect not
     * followed; none when no redirect was followed.
     */
    @ParameterizedTest
    @EnumSource
    void theOutcomeNamesTheUrlTheChainEndedAt(EngineKind kind) throws Exception {
        String name = kind.cliName();
        String prefix = "/ended/" + name + "/";
        server.wireMock().stubFor(get(urlEqualTo(prefix + 1))
                .willReturn(aResponse().withStatus(301).withHeader("Location", prefix + 2)));
        server.wireMock().stubFor(get(urlEqualTo(prefix + 2)).willReturn(aResponse()
                .withStatus(302).withHeader("Location", elsewhere.url("/ended/" + name))));
        elsewhere.wireMock().stubFor(get(urlEqualTo("/ended/" + name))
                .willReturn(aResponse().withStatus(200).withBody("here")));

        Outcome landed = fetch(kind, server.url(prefix + 1));
        assertThat(landed.status()).isEqualTo(200);
        assertThat(landed.finalUrl()).isEqualTo(URI.create(elsewhere.url("/ended/" + name)));

        EngineOptions one = new EngineOptions(8, Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(5), 10_000, 1, null, false);
        Outcome beyond = fetch(kind, server.url(prefix + 1), one);
        assertThat(beyond.status()).isEqualTo(302);
        assertThat(beyond.finalUrl()).isEqualTo(URI.create(server.url(prefix + 2)));

        server.wireMock().stubFor(get(urlEqualTo(prefix + "ftp")).willReturn(aResponse()
                .withStatus(302).withHeader("Location", "ftp://127.0.0.1/file")));
        Outcome refused = fetch(kind, server.url(prefix + "ftp"));
        assertThat(refused.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
        assertThat(refused.finalUrl()).isEqualTo(URI.create(server.url(prefix + "ftp")));

        Outcome direct = fetch(kind, server.url("/ok/1"));
        assertThat(direct.status()).isEqualTo(200);
        assertThat(direct.finalUrl()).isNull();
        assertThat(direct.redirected()).isFalse();
    }

    /**
     * Credentials an item carries are for the host it names: a redirect to another origin
     * (here another port) drops Authorization, Proxy-Authorization and Cookie, as curl does,
     * and keeps the item's other headers. A redirect within the origin keeps them all.
     */
    @ParameterizedTest
    @EnumSource
    void aRedirectToAnotherOriginDropsTheItemsCredentials(EngineKind kind) throws Exception {
        String name = kind.cliName();
        server.wireMock().stubFor(get(urlEqualTo("/away/" + name))
                .willReturn(aResponse().withStatus(302)
                        .withHeader("Location", elsewhere.url("/landed/" + name))));
        server.wireMock().stubFor(get(urlEqualTo("/near/" + name))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "/stayed/" + name)));
        java.util.Map<String, String> headers = Map.of(
                "Authorization", "Bearer secret", "Proxy-Authorization", "Basic c2VjcmV0",
                "Cookie", "session=secret", "X-Trace", "kept");
        try (Engine engine = Engine.create(kind, options())) {
            for (String path : new String[] {"/away/", "/near/"}) {
                engine.send(new FetchRequest(1, null, URI.create(server.url(path + name)),
                        "GET", headers, null)).get(10, TimeUnit.SECONDS);
            }
        }
        var landed = elsewhere.wireMock().findAll(getRequestedFor(urlEqualTo("/landed/" + name)));
        assertThat(landed).hasSize(1);
        assertThat(landed.get(0).containsHeader("Authorization")).isFalse();
        assertThat(landed.get(0).containsHeader("Proxy-Authorization")).isFalse();
        assertThat(landed.get(0).containsHeader("Cookie")).isFalse();
        assertThat(landed.get(0).getHeader("X-Trace")).isEqualTo("kept");

        var stayed = server.wireMock().findAll(getRequestedFor(urlEqualTo("/stayed/" + name)));
        assertThat(stayed).hasSize(1);
        assertThat(stayed.get(0).getHeader("Authorization")).isEqualTo("Bearer secret");
        assertThat(stayed.get(0).getHeader("Cookie")).isEqualTo("session=secret");
    }

    /**
     * A chain of exactly the limit (3) is followed to its end; one more redirect is not
     * followed, its 302 the answer. The redirects' own bodies, one of them long, are neither
     * counted nor let a 3xx end as too large: only the final body is the item's.
     */
    @ParameterizedTest
    @EnumSource
    void aChainOfExactlyTheLimitIsFollowedAndOnlyTheFinalBodyCounts(EngineKind kind)
            throws Exception {
        String prefix = "/chain/" + kind.cliName() + "/";
        for (int n = 1; n <= 4; n++) {
            // The second is over both the 10,000-byte max body and what is drained to keep a
            // connection, so it is read past only by closing its connection.
            String body = n == 2 ? "r".repeat(200_000) : "r".repeat(1_000);
            server.wireMock().stubFor(get(urlEqualTo(prefix + n))
                    .willReturn(aResponse().withStatus(302).withHeader("Location", prefix + (n - 1))
                            .withBody(body)));
        }
        server.wireMock().stubFor(get(urlEqualTo(prefix + 0))
                .willReturn(aResponse().withStatus(200).withBody("end")));

        Outcome three = fetch(kind, server.url(prefix + 3));
        assertThat(three.error()).isNull();
        assertThat(three.status()).isEqualTo(200);
        assertThat(three.bytes()).isEqualTo(3);

        Outcome four = fetch(kind, server.url(prefix + 4));
        assertThat(four.status()).isEqualTo(302);
        assertThat(four.error().kind()).isEqualTo(ErrorKind.HTTP);
        assertThat(four.error().message()).contains("more than 3 redirects");
    }

    @ParameterizedTest
    @EnumSource
    void withNoRedirectsAllowedARedirectIsTheOutcome(EngineKind kind) throws Exception {
        EngineOptions none = new EngineOptions(8, Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofSeconds(2), 10_000, 0, null, false);
        try (Engine engine = Engine.create(kind, none)) {
            Outcome redirect = engine.send(FetchRequest.get(1,
                    URI.create(server.url("/redirect/1")))).get(10, TimeUnit.SECONDS);
            assertThat(redirect.error()).isNull();
            assertThat(redirect.status()).isEqualTo(302);
        }
    }

    /** A Location with a raw space (some servers send one) is followed, the space encoded. */
    @ParameterizedTest
    @EnumSource
    void aLocationWithARawSpaceIsFollowedEncoded(EngineKind kind) throws Exception {
        String name = kind.cliName();
        server.wireMock().stubFor(get(urlEqualTo("/spaced/" + name))
                .willReturn(aResponse()
                        .withStatus(302).withHeader("Location", "/landed here/" + name)));
        server.wireMock().stubFor(get(urlEqualTo("/landed%20here/" + name))
                .willReturn(aResponse().withStatus(200).withBody("ok")));
        Outcome landed = fetch(kind, server.url("/spaced/" + name));
        assertThat(landed.error()).isNull();
        assertThat(landed.status()).isEqualTo(200);
    }

    /**
     * A redirect naming two different places is a protocol error on every engine (each client
     * would pick another: the JDK the last Location, Netty the first); the same one twice is
     * followed.
     */
    @ParameterizedTest
    @EnumSource
    void aRedirectWithTwoDifferentLocationsIsAProtocolError(EngineKind kind) throws Exception {
        String name = kind.cliName();
        server.wireMock().stubFor(get(urlEqualTo("/two/" + name))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "/ok/1", "/ok/2")));
        server.wireMock().stubFor(get(urlEqualTo("/twice/" + name))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "/ok/1", "/ok/1")));
        Outcome two = fetch(kind, server.url("/two/" + name));
        assertThat(two.status()).isNull();
        assertThat(two.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
        assertThat(two.error().message()).contains("several different Location headers");
        assertThat(fetch(kind, server.url("/twice/" + name)).status()).isEqualTo(200);
    }
}
