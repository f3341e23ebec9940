package dev.bulkfetch.engine;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.bulkfetch.engine.EngineContract.fetch;
import static dev.bulkfetch.engine.EngineContract.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.TestServer;
import java.net.CacheRequest;
import java.net.CacheResponse;
import java.net.ResponseCache;
import java.net.URI;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every engine sends for a request, alike: its method (or an input error saying it
 * cannot), its URL in ASCII, its headers as given and as UTF-8, credentials from its URL,
 * a length for an empty body, and no cookie from an earlier answer.
 */
class RequestContractTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    /**
     * A POST (or PUT) without a body went with Content-Length: 0 from the event loop and with
     * no length at all from the JDK's client, which servers wanting one answer with 411.
     */
    @ParameterizedTest
    @EnumSource
    void aPostOrPutWithoutABodyIsSentWithALengthOfZero(EngineKind kind) throws Exception {
        for (String method : java.util.List.of("POST", "PUT")) {
            try (RawServer server = RawServer.answering(
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                 Engine engine = Engine.create(kind, options())) {
                Outcome outcome = engine.send(new FetchRequest(1, "1", URI.create(
                        server.url("/ping")), method, java.util.Map.of(), null))
                        .get(10, TimeUnit.SECONDS);

                assertThat(outcome.status()).as(method).isEqualTo(200);
                // After review: streaming no bytes made the JDK add a form Content-Type too.
                assertThat(server.lastHead().toLowerCase(java.util.Locale.ROOT))
                        .as(method).contains("content-length: 0")
                        .doesNotContain("content-type");
            }
        }
    }

    /**
     * With Expect: 100-continue the JDK's client waited 5 s on every item whose server sent no
     * 100 (most), and read a 417 as a protocol error with its status lost; the event loop gave
     * the 417. The JDK engines now refuse such a request as its input error, naming the engine
     * that can send it, as they refuse the others they cannot send as asked.
     */
    @ParameterizedTest
    @EnumSource
    void aRequestWithAnExpectHeaderIsSentByTheEventLoopAndRefusedByTheOthers(EngineKind kind)
            throws Exception {
        try (RawServer server = RawServer.answering("HTTP/1.1 417 Expectation Failed\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
             Engine engine = Engine.create(kind, options())) {
            Outcome outcome = engine.send(new FetchRequest(1, "1", URI.create(server.url("/up")),
                    "POST", java.util.Map.of("Expect", "100-continue"),
                    "abc".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .get(10, TimeUnit.SECONDS);

            if (kind == EngineKind.EVENT_LOOP) {
                assertThat(outcome.status()).isEqualTo(417);
            } else {
                assertThat(outcome.error().kind()).isEqualTo(ErrorKind.INPUT);
                assertThat(outcome.error().message()).contains("Expect header")
                        .contains("the event-loop engine can");
                assertThat(server.requests()).isZero();
            }
        }
    }

    /**
     * No engine keeps a cookie jar: each request carries only the headers its item names, as with
     * curl or a plain HTTP client. (AHC keeps one unless told not to, and a Set-Cookie from one
     * answer would then ride along on every later request to that host.)
     */
    @ParameterizedTest
    @EnumSource
    void aCookieSetByOneAnswerIsNotSentWithTheNextRequest(EngineKind kind) throws Exception {
        String prefix = "/cookie/" + kind.cliName();
        server.wireMock().stubFor(get(urlEqualTo(prefix + "/set"))
                .willReturn(aResponse()
                        .withStatus(200).withHeader("Set-Cookie", "session=abc; Path=/")));
        try (Engine engine = Engine.create(kind, options())) {
            assertThat(engine.send(FetchRequest.get(1, URI.create(server.url(prefix + "/set"))))
                    .get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(engine.send(FetchRequest.get(2, URI.create(server.url(prefix + "/next"))))
                    .get(10, TimeUnit.SECONDS).status()).isEqualTo(404);
        }
        var next = server.wireMock().findAll(getRequestedFor(urlEqualTo(prefix + "/next")));
        assertThat(next).hasSize(1);
        assertThat(next.get(0).containsHeader("Cookie")).isFalse();
    }

    /**
     * PATCH goes out on the event loop; the blocking engines' HttpURLConnection cannot send it,
     * and the item says so as an input error instead of failing obscurely.
     */
    @ParameterizedTest
    @EnumSource
    void aMethodTheEngineCannotSendIsAnInputErrorThatSaysSo(EngineKind kind) throws Exception {
        server.wireMock().stubFor(patch(urlEqualTo("/patched"))
                .willReturn(aResponse().withStatus(204)));
        try (Engine engine = Engine.create(kind, options())) {
            Outcome patch = engine.send(new FetchRequest(1, null,
                    URI.create(server.url("/patched")), "PATCH",
                    Map.of("Content-Type", "application/json"),
                    "{}".getBytes(StandardCharsets.UTF_8)))
                    .get(10, TimeUnit.SECONDS);
            if (kind == EngineKind.EVENT_LOOP) {
                assertThat(patch.status()).isEqualTo(204);
            } else {
                assertThat(patch.status()).isNull();
                assertThat(patch.error().kind()).isEqualTo(ErrorKind.INPUT);
                assertThat(patch.error().message())
                        .contains(kind.cliName() + " engine cannot send PATCH");
            }
            assertThat(kind.sends("PATCH")).isEqualTo(kind == EngineKind.EVENT_LOOP);
            assertThat(kind.sends("DELETE")).isTrue();
        }
    }

    /**
     * A URL with UTF-8 in it goes out as ASCII (percent-encoded) on every engine, as HTTP
     * requires: before, the blocking engines sent the raw bytes and the event loop encoded them.
     */
    @ParameterizedTest
    @EnumSource
    void aUrlWithUtf8GoesOutAsAsciiOnEveryEngine(EngineKind kind) throws Exception {
        try (RawServer strict = new RawServer(RawServer.Mode.ASCII_ONLY)) {
            Outcome utf8 = fetch(kind, strict.url("/caf\u00e9?q=\u00e9"));
            assertThat(utf8.error()).isNull();
            assertThat(utf8.status()).isEqualTo(200);
        }
    }

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static String headSent(EngineKind kind, Map<String, String> headers)
            throws Exception {
        return headSent(kind, "", headers);
    }

    /** The head a GET of /head sends, its URL with {@code userInfo} (like "ann:pw@"). */
    private static String headSent(EngineKind kind, String userInfo, Map<String, String> headers)
            throws Exception {
        try (RawServer server = RawServer.answering(OK);
             Engine engine = Engine.create(kind, options())) {
            Outcome outcome = engine.send(new FetchRequest(1, null,
                    URI.create(server.url("/head").replace("://", "://" + userInfo)), "GET",
                    headers, null)).get(10, TimeUnit.SECONDS);
            assertThat(outcome.status()).isEqualTo(200);
            return server.lastHead();
        }
    }

    /** The head a {@code method} of /body sends with {@code body}, and {@code headers}. */
    private static String headSent(EngineKind kind, String method, Map<String, String> headers,
                                   byte[] body) throws Exception {
        try (RawServer server = RawServer.answering(OK);
             Engine engine = Engine.create(kind, options())) {
            Outcome outcome = engine.send(new FetchRequest(1, null,
                    URI.create(server.url("/body")), method, headers, body))
                    .get(10, TimeUnit.SECONDS);
            assertThat(outcome.status()).as(method).isEqualTo(200);
            return server.lastHead().toLowerCase(Locale.ROOT);
        }
    }

    /** The lines of {@code head} (lower case) that give the header {@code name}. */
    private static List<String> lines(String head, String name) {
        return head.lines().filter(line -> line.startsWith(name + ":")).toList();
    }

    /**
     * No engine adds a Cache-Control or a Pragma to a request: the blocking engines sent both
     * as no-cache on every request (HttpURLConnection does when its caching is turned off),
     * though no cache was there to turn off. A request's own goes as given.
     */
    @ParameterizedTest
    @EnumSource
    void noEngineAddsCacheHeadersTheRequestDidNotHave(EngineKind kind) throws Exception {
        assertThat(headSent(kind, Map.of()).toLowerCase(Locale.ROOT))
                .doesNotContain("cache-control").doesNotContain("pragma");
        assertThat(headSent(kind, "POST", Map.of("Cache-Control", "max-age=0"),
                "a=1".getBytes(StandardCharsets.UTF_8)))
                .contains("cache-control: max-age=0\r\n").doesNotContain("pragma");
    }

    /**
     * Where a host application installed a {@link ResponseCache}, no engine answers
     * from it: the blocking engines turn the JDK's use of it off, and so send its Cache-Control
     * and Pragma no-cache (the README says so); the event loop knows no such cache.
     */
    @ParameterizedTest
    @EnumSource
    void aResponseCacheTheHostInstalledIsNeitherAskedNorFilled(EngineKind kind)
            throws Exception {
        AtomicInteger asked = new AtomicInteger();
        ResponseCache before = ResponseCache.getDefault();
        ResponseCache.setDefault(new ResponseCache() {
            @Override
            public CacheResponse get(URI uri, String method,
                                     Map<String, List<String>> headers) {
                asked.incrementAndGet();
                return null;
            }

            @Override
            public CacheRequest put(URI uri, URLConnection conn) {
                asked.incrementAndGet();
                return null;
            }
        });
        try {
            String head = headSent(kind, Map.of()).toLowerCase(Locale.ROOT);
            assertThat(asked).hasValue(0);
            if (kind == EngineKind.EVENT_LOOP) {
                assertThat(head).doesNotContain("cache-control").doesNotContain("pragma");
            } else {
                assertThat(head).contains("cache-control: no-cache\r\n")
                        .contains("pragma: no-cache\r\n");
            }
        } finally {
            ResponseCache.setDefault(before);
        }
    }

    /**
     * An empty body (a byte array of none, not null) goes as Content-Length: 0 without a
     * Content-Type on every engine, for every method that may carry one, as the event loop
     * sends it: the blocking engines streamed no bytes, for which the JDK added a form
     * Content-Type to all but a PUT (and refused a GET's, as a body it would send as a POST).
     */
    @ParameterizedTest
    @EnumSource
    void anEmptyBodyGoesAsALengthOfZeroWithoutAContentType(EngineKind kind) throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS", "PATCH", "GET")) {
            if (!kind.sends(method)) {
                continue;  // PATCH, on the blocking engines: an input error (tested above)
            }
            String head = headSent(kind, method, Map.of(), new byte[0]);
            assertThat(head).as(method).startsWith(method.toLowerCase(Locale.ROOT) + " ");
            assertThat(lines(head, "content-length")).as(method)
                    .containsExactly("content-length: 0");
            assertThat(lines(head, "content-type")).as(method).isEmpty();
        }
    }

    /**
     * A body of some bytes without a Content-Type goes without one from the event loop, and
     * with the JDK's application/x-www-form-urlencoded from the blocking engines (but for a
     * PUT), which HttpURLConnection cannot be kept from adding (the README says so); given a
     * Content-Type, every engine sends it alone.
     */
    @ParameterizedTest
    @EnumSource
    void aBodyWithoutAContentTypeGetsTheJdksFormTypeOnlyOnTheBlockingEngines(EngineKind kind)
            throws Exception {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        for (String method : List.of("POST", "PUT", "DELETE")) {
            String head = headSent(kind, method, Map.of(), body);
            assertThat(lines(head, "content-length")).as(method)
                    .containsExactly("content-length: 2");
            assertThat(lines(head, "content-type")).as(method).isEqualTo(
                    kind == EngineKind.EVENT_LOOP || method.equals("PUT") ? List.of()
                            : List.of("content-type: application/x-www-form-urlencoded"));
            assertThat(lines(headSent(kind, method, Map.of("Content-Type", "application/json"),
                    body), "content-type")).as(method)
                    .containsExactly("content-type: application/json");
        }
    }

    /**
     * A header value beyond ASCII goes as its UTF-8 bytes on every engine; the event loop sent
     * Latin-1 (and "?" past it).
     */
    @ParameterizedTest
    @EnumSource
    void aHeaderValueBeyondAsciiGoesAsUtf8(EngineKind kind) throws Exception {
        String head = headSent(kind, Map.of("X-Name", "café ✓"));
        String utf8AsBytes = new String("café ✓".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);
        assertThat(head).contains("X-Name: " + utf8AsBytes + "\r\n");
    }

    /**
     * Host, Origin and Via go as given on every engine: the JDK dropped them silently unless
     * sun.net.http.allowRestrictedHeaders was set.
     */
    @ParameterizedTest
    @EnumSource
    void headersTheJdkRestrictsGoAsGiven(EngineKind kind) throws Exception {
        String head = headSent(kind, Map.of("Host", "api.example.test", "Origin",
                "https://app.example.test", "Via", "1.1 gateway")).toLowerCase(Locale.ROOT);
        assertThat(head).contains("host: api.example.test\r\n")
                .contains("origin: https://app.example.test\r\n")
                .contains("via: 1.1 gateway\r\n")
                .doesNotContain("host: 127.0.0.1");
    }

    /**
     * A GET with a body goes as a GET from the event loop; a blocking engine refuses it as an
     * input error, where the JDK sent it as a POST (under a record that said GET).
     */
    @ParameterizedTest
    @EnumSource
    void aGetWithABodyIsSentAsAGetOrRefused(EngineKind kind) throws Exception {
        try (RawServer server = RawServer.answering(OK);
             Engine engine = Engine.create(kind, options())) {
            Outcome outcome = engine.send(new FetchRequest(1, null,
                    URI.create(server.url("/search")), "GET", Map.of(),
                    "{\"query\":1}".getBytes(StandardCharsets.UTF_8)))
                    .get(10, TimeUnit.SECONDS);
            if (kind == EngineKind.EVENT_LOOP) {
                assertThat(outcome.status()).isEqualTo(200);
                assertThat(server.lastHead()).startsWith("GET /search ");
            } else {
                assertThat(outcome.error().kind()).isEqualTo(ErrorKind.INPUT);
                assertThat(outcome.error().message()).contains("a GET with a body");
                assertThat(server.requests()).isZero();
            }
        }
    }

    /**
     * Credentials in a URL go as Basic auth on every engine, and not in the request line; both
     * clients dropped them. A request's own Authorization wins.
     */
    @ParameterizedTest
    @EnumSource
    void credentialsInTheUrlGoAsBasicAuth(EngineKind kind) throws Exception {
        String basic = Base64.getEncoder().encodeToString(
                "ann:s@cret".getBytes(StandardCharsets.UTF_8));
        assertThat(headSent(kind, "ann:s%40cret@", Map.of()))
                .startsWith("GET /head HTTP/1.1\r\n")
                .containsIgnoringCase("authorization: Basic " + basic + "\r\n")
                .doesNotContain("ann:");
        assertThat(headSent(kind, "ann:pw@", Map.of("Authorization", "Bearer t")))
                .containsIgnoringCase("authorization: Bearer t\r\n")
                .doesNotContainIgnoringCase("Basic");
        String userOnly = Base64.getEncoder().encodeToString("ann:".getBytes(
                StandardCharsets.UTF_8));
        assertThat(headSent(kind, "ann@", Map.of()))
                .containsIgnoringCase("authorization: Basic " + userOnly + "\r\n");
        assertThat(headSent(kind, "@", Map.of())).doesNotContainIgnoringCase("authorization");
    }
}
