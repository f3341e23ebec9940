package dev.bulkfetch.engine;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.bulkfetch.engine.EngineContract.answerTo;
import static dev.bulkfetch.engine.EngineContract.assertAnswered;
import static dev.bulkfetch.engine.EngineContract.assertProtocolError;
import static dev.bulkfetch.engine.EngineContract.fetch;
import static dev.bulkfetch.engine.EngineContract.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.NotingHandler;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How every engine reads a response's body, alike: its framing (a Content-Length, chunks,
 * the connection's close), the body limit, the length declared by responses that have no
 * body, a compressed body, and a body cut short, stalled or reset, which keeps its status.
 */
class ResponseBodyContractTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    /**
     * A HEAD's Content-Length is the size a GET would get, and a 304's the representation's: no
     * body comes. Over the body limit, each was too_large with its status lost, on every
     * engine: a HEAD over a list of large downloads failed every one.
     */
    @ParameterizedTest
    @EnumSource
    void aLengthOverTheLimitOnAResponseWithoutABodyIsNoneOfItsConcern(EngineKind kind)
            throws Exception {
        try (RawServer large = RawServer.answering(
                "HTTP/1.1 200 OK\r\nContent-Length: 20000000\r\n\r\n");
             RawServer notModified = RawServer.answering(
                     "HTTP/1.1 304 Not Modified\r\nContent-Length: 5000000\r\n\r\n");
             Engine engine = Engine.create(kind, options())) {
            Outcome head = engine.send(new FetchRequest(1, "1", URI.create(large.url("/file")),
                    "HEAD", java.util.Map.of(), null)).get(10, TimeUnit.SECONDS);
            Outcome cached = engine.send(FetchRequest.get(2, URI.create(
                    notModified.url("/page")))).get(10, TimeUnit.SECONDS);

            assertThat(head.error()).isNull();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.bytes()).isZero();
            assertThat(cached.error()).isNull();
            assertThat(cached.status()).isEqualTo(304);
        }
    }

    /**
     * A response with no header at all, its body running to the close (HTTP/1.0 style), reaches
     * the body handler on every engine. The event loop counted its bytes but handed the body
     * to no handler: AHC announces headers only when there are some.
     */
    @ParameterizedTest
    @EnumSource
    void aBodyAfterNoHeadersAtAllReachesTheBodyHandler(EngineKind kind) throws Exception {
        EngineOptions keepText = new EngineOptions(8, Duration.ofSeconds(2),
                Duration.ofSeconds(5), Duration.ofSeconds(2), 10_000, 3,
                dev.bulkfetch.BodyHandlers.text(), false);
        for (String version : new String[] {"HTTP/1.0", "HTTP/1.1"}) {
            try (RawServer bare = RawServer.answering(version + " 200 OK\r\n\r\nuntil the end");
                 Engine engine = Engine.create(kind, keepText)) {
                Outcome outcome = engine.send(FetchRequest.get(1, URI.create(bare.url("/"))))
                        .get(10, TimeUnit.SECONDS);
                assertAnswered(outcome);
                assertThat(outcome.bytes()).isEqualTo("until the end".length());
                assertThat(outcome.body()).as(version).isEqualTo("until the end");
            }
        }
    }

    /**
     * The chunks that came whole before a bad one are counted on every engine, as the body came
     * that far: the JDK's engines counted none when the bad one came in the same read.
     */
    @ParameterizedTest
    @EnumSource
    void theChunksBeforeABadOneAreCounted(EngineKind kind) throws Exception {
        for (String status : new String[] {"200 OK", "500 Err"}) {
            for (String bad : new String[] {"zz\r\n", "0\r\nNoColon\r\n\r\n"}) {
                Outcome outcome = answerTo(kind, "HTTP/1.1 " + status + "\r\nTransfer-Encoding: "
                        + "chunked\r\n\r\n5\r\nhello\r\n" + bad);

                assertThat(outcome.error().kind()).as(status + ", " + bad)
                        .isEqualTo(ErrorKind.PROTOCOL);
                assertThat(outcome.bytes()).as(status + ", " + bad + ": " + outcome)
                        .isEqualTo(5);
            }
        }
    }

    /**
     * Chunked and with a Content-Length: the chunks rule, and the length is ignored, as Netty
     * has it. The blocking engines stopped at the length and recorded half the body.
     */
    @ParameterizedTest
    @EnumSource
    void aChunkedBodyIsReadWholeWhateverItsContentLengthSays(EngineKind kind) throws Exception {
        Outcome outcome = answerTo(kind, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Length: 5\r\n\r\na\r\n0123456789\r\n0\r\n\r\n");
        assertAnswered(outcome);
        assertThat(outcome.bytes()).isEqualTo(10);
    }

    @ParameterizedTest
    @EnumSource
    void aHeadRequestEndsOkThoughNoBodyFollowsItsContentLength(EngineKind kind) throws Exception {
        server.wireMock().stubFor(any(urlEqualTo("/head"))
                .willReturn(aResponse().withStatus(200).withBody("hello")));
        try (Engine engine = Engine.create(kind, options())) {
            Outcome head = engine.send(new FetchRequest(1, null, URI.create(server.url("/head")),
                    "HEAD", Map.of(), null)).get(10, TimeUnit.SECONDS);
            assertThat(head.error()).isNull();
            assertThat(head.status()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource
    void aBodyOverTheLimitEndsAsTooLarge(EngineKind kind) throws Exception {
        Outcome large = fetch(kind, server.url("/bytes/1"));
        assertThat(large.error().kind()).isEqualTo(ErrorKind.TOO_LARGE);
        assertThat(large.bytes()).isLessThanOrEqualTo(20_000);
        // The server answered: its status is kept (null said no response came).
        assertThat(large.status()).isEqualTo(200);
    }

    /**
     * A body is counted (and handed on) as the server sent it: a compressed answer that the
     * request asked for is not undone by one engine and kept by the others.
     */
    @ParameterizedTest
    @EnumSource
    void aCompressedBodyTheRequestAskedForIsCountedAsSent(EngineKind kind) throws Exception {
        String text = "z".repeat(5_000);
        server.wireMock().stubFor(get(urlEqualTo("/gzip"))
                .willReturn(aResponse().withStatus(200).withBody(text)));
        try (Engine engine = Engine.create(kind, options())) {
            Outcome gzipped = engine.send(new FetchRequest(1, null,
                    URI.create(server.url("/gzip")), "GET",
                    Map.of("Accept-Encoding", "gzip"), null))
                    .get(10, TimeUnit.SECONDS);
            assertThat(gzipped.status()).isEqualTo(200);
            // WireMock gzips it (5,000 bytes of one letter come to a few dozen).
            assertThat(gzipped.bytes()).isPositive().isLessThan(200);
        }
    }

    /** Two different Content-Lengths are a protocol error on every engine (the JDK took one). */
    @ParameterizedTest
    @EnumSource
    void twoDifferentContentLengthsAreAProtocolError(EngineKind kind) throws Exception {
        try (RawServer lengths = new RawServer(RawServer.Mode.TWO_LENGTHS)) {
            Outcome twice = fetch(kind, lengths.url("/lengths"));
            assertThat(twice.status()).isNull();
            assertThat(twice.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
        }
    }

    static Stream<Arguments> lengthsThatAreNotOne() {
        String ok = "HTTP/1.1 200 OK\r\n";
        return Stream.of(EngineKind.values()).flatMap(kind -> Stream.of(
                ok + "Content-Length: -1\r\n", ok + "Content-Length: +2\r\n",
                ok + "Content-Length: 2, 2\r\n",
                ok + "Content-Length: 2\r\nContent-Length: 2\r\n",
                ok + "Content-Length: 99999999999999999999\r\n",
                // A redirect to an answer that is fine: only its own length is wrong.
                "HTTP/1.1 302 Found\r\nLocation: " + server.url("/ok/1")
                        + "\r\nContent-Length: -1\r\n")
                .map(head -> Arguments.of(kind, head)));
    }

    /**
     * A Content-Length that is not one length is a protocol error on every engine, as Netty
     * and RFC 9112 have it; the JDK read most of these as no length, {@code +2} as 2.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("lengthsThatAreNotOne")
    void aContentLengthThatIsNotOneLengthIsAProtocolError(EngineKind kind, String head)
            throws Exception {
        assertProtocolError(answerTo(kind, head + "\r\nok"));
    }

    /**
     * A body cut short is a protocol error that counts the bytes that came, on every engine
     * (the event loop said 0), and keeps the status that came before it: the server did
     * answer (the status read null, as if no response had come).
     */
    @ParameterizedTest
    @EnumSource
    void aBodyCutShortIsAProtocolErrorCountingTheBytesThatCame(EngineKind kind)
            throws Exception {
        try (RawServer cut = new RawServer(RawServer.Mode.SHORT_BODY)) {
            Outcome outcome = fetch(kind, cut.url("/short"));
            assertThat(outcome.status()).isEqualTo(200);
            assertThat(outcome.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
            assertThat(outcome.bytes()).isEqualTo(10);
        }
    }

    /**
     * A 429 whose body is cut keeps its Retry-After beside its status: the rate's slowdown and
     * the retry's wait read it, and the cut took it away while the status still said 429.
     */
    @ParameterizedTest
    @EnumSource
    void a429CutShortKeepsItsRetryAfter(EngineKind kind) throws Exception {
        try (RawServer cut = RawServer.answering("HTTP/1.1 429 Too Many Requests\r\n"
                + "Retry-After: 7\r\nContent-Length: 100\r\n\r\nonly a bit")) {
            Outcome outcome = fetch(kind, cut.url("/limited"));
            assertThat(outcome.status()).isEqualTo(429);
            assertThat(outcome.error()).as("cut short").isNotNull();
            assertThat(outcome.retryAfter()).isEqualTo("7");
        }
    }

    /** The same after a redirect: the final response's status is kept. */
    @ParameterizedTest
    @EnumSource
    void aBodyCutShortAfterARedirectKeepsTheFinalResponsesStatus(EngineKind kind)
            throws Exception {
        try (RawServer cut = new RawServer(RawServer.Mode.SHORT_BODY);
             RawServer moved = RawServer.answering("HTTP/1.1 302 Found\r\nLocation: "
                     + cut.url("/short") + "\r\nContent-Length: 0\r\n\r\n")) {
            Outcome outcome = fetch(kind, moved.url("/moved"));
            assertThat(outcome.redirected()).isTrue();
            assertThat(outcome.status()).isEqualTo(200);
            assertThat(outcome.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
        }
    }

    static Stream<Arguments> everyEngineEitherTimeout() {
        return Stream.of(EngineKind.values()).flatMap(kind -> Stream.of(
                Arguments.of(kind, "idle"), Arguments.of(kind, "request")));
    }

    /**
     * A body that stalls times out keeping the status that came before it, on every engine,
     * whichever timeout ends it: the idle timeout (600 ms), or the request's (800 ms) with
     * the idle timeout far longer, which the blocking engines keep by a check of their own.
     */
    @ParameterizedTest(name = "{0}, {1} timeout")
    @MethodSource("everyEngineEitherTimeout")
    void aBodyThatStallsTimesOutKeepingItsStatus(EngineKind kind, String timeout)
            throws Exception {
        EngineOptions options = timeout.equals("idle") ? EngineContract.deadlines()
                : new EngineOptions(8, Duration.ofSeconds(2), Duration.ofMillis(800),
                        Duration.ofSeconds(20), 10_000, 3, null, false);
        try (RawServer stalled = RawServer.holding("HTTP/1.1 200 OK\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")) {
            Outcome outcome = fetch(kind, stalled.url("/stalled"), options);
            assertThat(outcome.error().kind()).as(outcome.toString())
                    .isEqualTo(ErrorKind.TIMEOUT);
            assertThat(outcome.status()).isEqualTo(200);
            assertThat(outcome.bytes()).isEqualTo(5);
        }
    }

    /** A body its server resets after its first bytes keeps its status too, on every engine. */
    @ParameterizedTest
    @EnumSource
    void aBodyResetAfterItsFirstBytesKeepsItsStatus(EngineKind kind) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        EngineOptions noting = new EngineOptions(8, Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(5), 10_000, 3,
                NotingHandler.noting(started), false);
        try (RawServer resetting = new RawServer(RawServer.Mode.RESET_IN_BODY);
             Engine engine = Engine.create(kind, noting)) {
            CompletableFuture<Outcome> sent = engine.send(
                    FetchRequest.get(1, URI.create(resetting.url("/reset"))));
            assertThat(started.await(20, TimeUnit.SECONDS)).as("the body started").isTrue();
            resetting.releaseLateBytes();

            Outcome outcome = sent.get(20, TimeUnit.SECONDS);
            assertThat(outcome.error().kind()).as(outcome.toString())
                    .isEqualTo(ErrorKind.RESET);
            assertThat(outcome.status()).isEqualTo(200);
            assertThat(outcome.bytes()).isEqualTo(10);
        }
    }
}
