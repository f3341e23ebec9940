package dev.bulkfetch.engine;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.bulkfetch.engine.EngineContract.answerTo;
import static dev.bulkfetch.engine.EngineContract.assertAnswered;
import static dev.bulkfetch.engine.EngineContract.assertProtocolError;
import static dev.bulkfetch.engine.EngineContract.fetch;
import static dev.bulkfetch.engine.EngineContract.options;
import static dev.bulkfetch.engine.EngineContract.patient;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.TestServer;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How every engine reads a response's head, alike: the status line (three digits, past
 * 599, split by tabs, long, after stray line breaks), interim responses before the answer,
 * and the header lines; and that any answer keeps its status, whatever its body.
 */
class ResponseHeadContractTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @ParameterizedTest
    @EnumSource
    void aResponseOfAnyStatusIsAnOutcomeWithItsBodyCounted(EngineKind kind) throws Exception {
        Outcome ok = fetch(kind, server.url("/ok/1"));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.error()).isNull();
        assertThat(ok.bytes()).isEqualTo("{\"ok\":true}".length());
        assertThat(ok.latencyNanos()).isPositive();

        Outcome notFound = fetch(kind, server.url("/status/404/1"));
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.error()).isNull();
    }

    /**
     * An error status with an empty body declared as such: the JDK gives no error stream for
     * it. The blocking engines' check for excess read that missing stream, and the 404 became
     * a protocol error with no status (so an empty 429 or 503 was not retried).
     */
    @ParameterizedTest
    @EnumSource
    void anErrorWithAnEmptyBodyKeepsItsStatus(EngineKind kind) throws Exception {
        for (int status : new int[] {404, 503}) {
            Outcome outcome = answerTo(kind, "HTTP/1.1 " + status + " Whatever\r\n"
                    + "Content-Length: 0\r\n\r\n");
            assertThat(outcome.status()).as(outcome.toString()).isEqualTo(status);
            assertThat(outcome.bytes()).isZero();
        }
    }

    /**
     * A head whose lines end in a bare line feed is an answer on every engine, as the JDK and
     * curl read it: Netty 4.2 refuses it by default, and the event loop made it a protocol
     * error where the other engines gave the item its 200.
     */
    @ParameterizedTest
    @EnumSource
    void aHeadWhoseLinesEndInABareLineFeedIsReadOnEveryEngine(EngineKind kind)
            throws Exception {
        Outcome outcome = answerTo(kind, "HTTP/1.1 200 OK\nContent-Length: 5\nX-A: b\n\nhello");

        assertThat(outcome.error()).as(outcome.toString()).isNull();
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome.bytes()).isEqualTo(5);
    }

    /**
     * Response headers are read up to the JDK's limit on every engine (AHC's own is 8 KiB): a
     * 12 KB header is an answer, and only a header section past 384 KiB is a protocol error.
     */
    @ParameterizedTest
    @EnumSource
    void longResponseHeadersAreReadUpToTheSameLimitOnEveryEngine(EngineKind kind)
            throws Exception {
        server.wireMock().stubFor(get(urlEqualTo("/long-header"))
                .willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Security-Policy", "x".repeat(12_000))
                        .withBody("ok")));
        Outcome longHeader = fetch(kind, server.url("/long-header"));
        assertThat(longHeader.error()).isNull();
        assertThat(longHeader.status()).isEqualTo(200);

        try (RawServer huge = new RawServer(RawServer.Mode.HUGE_HEADERS)) {
            Outcome tooLong = fetch(kind, huge.url("/headers"));
            assertThat(tooLong.status()).isNull();
            assertThat(tooLong.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
        }
    }

    /**
     * After an exploratory test: the JDK counts each line of a head as its name and value and
     * 32 bytes more, where Netty's codec counts its bytes, so 10,000 short headers (about
     * 120 KB) were an answer on the event loop and a protocol error on the other engines, under
     * the same 384 KiB limit. Every engine now counts as the JDK does.
     */
    @ParameterizedTest
    @EnumSource
    void manyShortHeadersCountAsTheJdkCountsThemOnEveryEngine(EngineKind kind)
            throws Exception {
        // 8,000 lines of about 39 bytes by the JDK's count (312 KB), 11,000 of them 429 KB;
        // both well under 384 KiB (393,216 bytes) in bytes on the wire (102 KB, 143 KB).
        Outcome under = answerTo(kind, headWithShortHeaders(8_000));
        Outcome over = answerTo(kind, headWithShortHeaders(11_000));

        assertAnswered(under);
        assertProtocolError(over);
        assertThat(over.error().message()).isEqualTo(
                "invalid HTTP response: the status line and headers are larger than 393216 bytes");
    }

    private static String headWithShortHeaders(int count) {
        StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < count; i++) {
            head.append("X-H").append(i).append(": v\r\n");
        }
        assertThat(head.length()).isLessThan(160_000);
        return head.append("Content-Length: 2\r\n\r\nok").toString();
    }

    /**
     * An interim response (103 Early Hints) is skipped for the answer after it on every engine;
     * AHC alone ended the item with the 103.
     */
    @ParameterizedTest
    @EnumSource
    void anEarlyHintsResponseIsSkippedForTheAnswer(EngineKind kind) throws Exception {
        try (RawServer hints = new RawServer(RawServer.Mode.EARLY_HINTS)) {
            Outcome answer = fetch(kind, hints.url("/page"));
            assertThat(answer.error()).isNull();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.bytes()).isEqualTo(2);
        }
    }

    /**
     * A head a reset cuts off (no empty line after its headers yet) is no answer: a reset with no
     * status, on every engine. The JDK's engines recorded the status line they had read: a 404
     * as an http error, a 429 as the server's refusal (retried as such, a POST too), a 200
     * beside the reset.
     */
    @ParameterizedTest
    @EnumSource
    void aHeadCutOffByAResetIsAResetWithNoStatus(EngineKind kind) throws Exception {
        for (String cut : new String[] {"404 Not Found\r\nX-A", "429 Slow\r\nX-A",
                "503 Busy\r\nRetry-Af", "200 OK\r\nContent-Le", "200 OK\r\n"}) {
            try (RawServer server = RawServer.resetting("HTTP/1.1 " + cut)) {
                Outcome outcome = fetch(kind, server.url("/"));

                assertThat(outcome.status()).as(cut + ": " + outcome).isNull();
                assertThat(outcome.error().kind()).as(cut).isEqualTo(ErrorKind.RESET);
            }
        }
    }

    /**
     * The final answer to a HEAD has no body after interim answers too (a 103, a 100, two
     * 103s), whether it declares a length or chunks, a redirect as well; and its connection is
     * reused for the next request, whose body is read. On the event loop Netty's codec pairs
     * each response with its request's method, and the interim answer took the HEAD's: the
     * final answer was read as a GET's, its declared body waited for until --idle-timeout.
     */
    @ParameterizedTest
    @EnumSource
    void aHeadsAnswerAfterInterimAnswersHasNoBody(EngineKind kind) throws Exception {
        try (RawServer server = RawServer.keepingAlive(ResponseHeadContractTest::afterInterim);
             Engine engine = Engine.create(kind, options())) {
            for (String path : new String[] {"/early-hints", "/continue", "/two-early-hints"}) {
                for (String framing : new String[] {"/length", "/chunked", "/moved"}) {
                    String url = server.url(path + framing);
                    Outcome head = engine.send(new FetchRequest(1, null, URI.create(url), "HEAD",
                            Map.of(), null)).get(20, TimeUnit.SECONDS);
                    assertAnswered(head);
                    assertThat(head.bytes()).as(url).isZero();

                    Outcome get = engine.send(FetchRequest.get(2, URI.create(url)))
                            .get(20, TimeUnit.SECONDS);
                    assertAnswered(get);
                    assertThat(get.bytes()).as(url).isEqualTo(5);
                }
            }
            assertThat(server.connections()).as("every request on one connection").isEqualTo(1);
        }
    }

    /**
     * A head that stops and then nothing more comes is a timeout with no status on every
     * engine: the JDK's engines recorded a 500 as an http error, at once, with no timeout.
     */
    @ParameterizedTest
    @EnumSource
    void aHeadThatStopsIsATimeoutWithNoStatus(EngineKind kind) throws Exception {
        for (String cut : new String[] {"500 Err\r\nX-A", "200 OK\r\nContent-Le"}) {
            try (RawServer server = RawServer.holding("HTTP/1.1 " + cut)) {
                Outcome outcome = fetch(kind, server.url("/"), EngineContract.deadlines());

                assertThat(outcome.status()).as(cut + ": " + outcome).isNull();
                assertThat(outcome.error().kind()).as(cut).isEqualTo(ErrorKind.TIMEOUT);
            }
        }
    }

    /**
     * Interim responses past what the JDK's client reads (it reads each inside the one before,
     * and tens of thousands overflow its thread's stack) are a protocol error on the blocking
     * engines, in plain words; they ended the item as cancelled, with "StackOverflowError". The
     * event loop reads past them to the answer.
     */
    @ParameterizedTest
    @EnumSource
    void tensOfThousandsOfInterimResponsesAreNoCrash(EngineKind kind) throws Exception {
        Outcome outcome = answerTo(kind, "HTTP/1.1 103 Early Hints\r\n\r\n".repeat(40_000)
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        if (kind == EngineKind.EVENT_LOOP) {
            assertAnswered(outcome);
        } else {
            assertProtocolError(outcome);
            assertThat(outcome.error().message()).as(kind.cliName())
                    .startsWith("invalid HTTP response: more interim (1xx) responses");
        }
    }

    /**
     * An interim answer, as the request's path begins, then the final one: 200 "hello" by
     * length or in chunks as the path ends, or a redirect with a body of its own to the same
     * path by length. No body to a HEAD.
     */
    private static String afterInterim(String head) {
        String path = head.split(" ", 3)[1];
        boolean bodies = !head.startsWith("HEAD ");
        String interim = switch (path.substring(0, path.lastIndexOf('/'))) {
            case "/early-hints" -> "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n";
            case "/continue" -> "HTTP/1.1 100 Continue\r\n\r\n";
            default -> "HTTP/1.1 103 Early Hints\r\n\r\n".repeat(2);
        };
        String answer = switch (path.substring(path.lastIndexOf('/'))) {
            case "/length" -> "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                    + (bodies ? "hello" : "");
            case "/chunked" -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + (bodies ? "5\r\nhello\r\n0\r\n\r\n" : "");
            default -> "HTTP/1.1 302 Found\r\nLocation: " + path.replace("/moved", "/length")
                    + "\r\nContent-Length: 7\r\n\r\n" + (bodies ? "go away" : "");
        };
        return interim + answer;
    }

    /**
     * A 101 no request asked for is a protocol error on every engine (the event loop said
     * http).
     */
    @ParameterizedTest
    @EnumSource
    void anUnaskedFor101IsAProtocolError(EngineKind kind) throws Exception {
        assertProtocolError(answerTo(kind, "HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
    }

    static Stream<Arguments> statusCodesThatAreNotThreeDigits() {
        Stream<Arguments> everyEngine = Stream.of(EngineKind.values()).flatMap(kind -> Stream.of(
                "2000 Weird", "099 Low", "20 Short", "2x0 Letters", "OK Nothing",
                "-200 Negative", "", "+200 Signed", "0200 Padded", " 200 Spaced")
                .map(status -> Arguments.of(kind, status)));
        // Not the JDK's engines: its client reads the first three digits alone, takes a 1xx
        // for an interim response, and waits for the next response on the connection, where
        // none comes: it ends at the timeout, or as a reset when the server closes.
        return Stream.concat(everyEngine, Stream.of(
                Arguments.of(EngineKind.EVENT_LOOP, "1000 Weird"),
                Arguments.of(EngineKind.EVENT_LOOP, "1999 Weird")));
    }

    /**
     * A status code is three digits (RFC 9112, 4), 100 or more (RFC 9110, 15): anything else
     * is a protocol error on every engine, at once, from a server that keeps the connection
     * open too. The event loop answered 1000 as an http error; the JDK's engines answered 2000
     * with that status, and 099 with 99. Every engine answered +200 and 0200 as 200 (both
     * clients parse the code with Integer.parseInt), and the event loop a 200 after two spaces,
     * which the JDK's engines refused.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("statusCodesThatAreNotThreeDigits")
    void aStatusCodeThatIsNotThreeDigitsIsAProtocolErrorAtOnce(EngineKind kind, String status)
            throws Exception {
        assertProtocolError(heldAnswerTo(kind, "HTTP/1.1 " + status
                + "\r\nContent-Length: 2\r\n\r\nok"));
    }

    /**
     * The outcome of a request answered with {@code response} by a server that then holds the
     * connection open: timeouts of a minute, and the outcome wanted in seconds, so no timeout
     * makes it.
     */
    private static Outcome heldAnswerTo(EngineKind kind, String response) throws Exception {
        try (RawServer server = RawServer.holding(response);
             Engine engine = Engine.create(kind, patient())) {
            return engine.send(FetchRequest.get(1, URI.create(server.url("/"))))
                    .get(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The final response's code is checked as it came after an interim response in the same
     * packet too: the event loop finds that status line among bytes its codec holds, not at
     * the start of a read.
     */
    @ParameterizedTest
    @EnumSource
    void aStatusCodeNotThreeDigitsAfterAnInterimResponseIsAProtocolError(EngineKind kind)
            throws Exception {
        assertProtocolError(heldAnswerTo(kind, "HTTP/1.1 103 Early Hints\r\n"
                + "Link: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 +200 OK\r\nContent-Length: 2\r\n\r\nok"));
    }

    /**
     * On the event loop, line breaks before a status line are skipped, as Netty's codec skips
     * them: a bare line break a server sent after its answer, on a connection then reused, and
     * one between an interim response and the final one. Its copy of the status line took that
     * line break for the end of an empty line, and refused the next answer. (The JDK's client
     * takes a response that such a line break comes before for one without a status line: a
     * protocol error on its engines, which cannot skip it, as JdkHead says; README.)
     */
    @Test
    void lineBreaksBeforeAStatusLineAreSkippedOnTheEventLoop() throws Exception {
        EngineKind kind = EngineKind.EVENT_LOOP;
        try (RawServer excess = new RawServer(RawServer.Mode.EXCESS);
             Engine engine = Engine.create(kind, options())) {
            Outcome first = engine.send(FetchRequest.get(1,
                    URI.create(excess.url("/late-line-break")))).get(10, TimeUnit.SECONDS);
            assertThat(first.status()).isEqualTo(304);
            // Before or with the next answer, it comes after the first one ended: either way
            // the line break is where the next status line is looked for.
            excess.releaseLateBytes();
            Outcome next = engine.send(FetchRequest.get(2, URI.create(excess.url("/ok"))))
                    .get(10, TimeUnit.SECONDS);
            assertAnswered(next);
            assertThat(excess.connections()).as("the connection was reused").isEqualTo(1);
        }
        assertAnswered(heldAnswerTo(kind, "HTTP/1.1 103 Early Hints\r\n\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    }

    /**
     * A tab in a status line is read as a space on every engine, as the JDK's client reads it
     * (RFC 9112, 4, allows it): checking the line as it came must not refuse it on the event
     * loop.
     */
    @ParameterizedTest
    @EnumSource
    void aStatusLineSplitByTabsIsAnAnswer(EngineKind kind) throws Exception {
        Outcome outcome = answerTo(kind, "HTTP/1.1\t200\tOK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(outcome.error()).isNull();
        assertThat(outcome.status()).isEqualTo(200);
    }

    /**
     * A code of three digits past 599 is no protocol error: RFC 9110 (15) has a client read it
     * as a server error, and some servers use them. Every engine records it as it came.
     */
    @ParameterizedTest
    @EnumSource
    void aStatusCodePast599IsAnAnswer(EngineKind kind) throws Exception {
        Outcome outcome = answerTo(kind, "HTTP/1.1 999 Custom\r\nContent-Length: 2\r\n\r\nok");
        assertThat(outcome.status()).isEqualTo(999);
        assertThat(outcome.bytes()).isEqualTo(2);
    }

    static Stream<Arguments> headLinesNettyRefuses() {
        return Stream.of(EngineKind.values()).flatMap(kind -> Stream.of(
                "NotAHeader\r\n", "X-A: a\u0000b\r\n", "X-A: a\u0001b\r\n")
                .map(line -> Arguments.of(kind, line)));
    }

    /**
     * A header line without a colon, or a control character in a value, is a protocol error
     * on every engine, as Netty has it; the JDK passed both.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("headLinesNettyRefuses")
    void anInvalidHeaderLineIsAProtocolError(EngineKind kind, String line) throws Exception {
        assertProtocolError(answerTo(kind, "HTTP/1.1 200 OK\r\n" + line
                + "Content-Length: 2\r\n\r\nok"));
    }

    /**
     * A space before a header's colon is read past on every engine, as Netty reads it: the
     * JDK keeps the line under no name, and the line-without-a-colon check must not call it one.
     */
    @ParameterizedTest
    @EnumSource
    void aSpaceBeforeAHeadersColonIsNoError(EngineKind kind) throws Exception {
        assertAnswered(answerTo(kind, "HTTP/1.1 200 OK\r\nServer : odd/1\r\n"
                + "Content-Length: 2\r\n\r\nok"));
    }

    /**
     * A Set-Cookie that a host's cookie handler cannot parse does not fail the item on the
     * blocking engines (the JDK throws it from getHeaderField when a handler is installed).
     */
    @ParameterizedTest
    @EnumSource
    void aCookieTheHostsCookieHandlerRefusesIsNoError(EngineKind kind) throws Exception {
        CookieHandler before = CookieHandler.getDefault();
        CookieHandler.setDefault(new CookieManager());
        try {
            assertAnswered(answerTo(kind, "HTTP/1.1 200 OK\r\nSet-Cookie: a b=1\r\n"
                    + "Content-Length: 2\r\n\r\nok"));
        } finally {
            CookieHandler.setDefault(before);
        }
    }

    /**
     * A status line past Netty's default 4 KiB is an answer on every engine, as on the JDK,
     * which counts it in its 384 KiB header limit.
     */
    @ParameterizedTest
    @EnumSource
    void aLongStatusLineIsAnAnswer(EngineKind kind) throws Exception {
        assertAnswered(answerTo(kind, "HTTP/1.1 200 " + "O".repeat(6000)
                + "\r\nContent-Length: 2\r\n\r\nok"));
    }

    /**
     * After review: a 401 to a POST or PUT with a body was a protocol error with no status on
     * the JDK engines (the JDK, streaming the body, drops such an answer for an
     * Authenticator's retry): the expired token of a backfill went unseen. The 401 stands.
     */
    @ParameterizedTest
    @EnumSource
    void a401ToARequestWithABodyKeepsItsStatus(EngineKind kind) throws Exception {
        for (String method : java.util.List.of("POST", "PUT")) {
            try (RawServer server = RawServer.answering("HTTP/1.1 401 Unauthorized\r\n"
                    + "WWW-Authenticate: Bearer\r\nContent-Length: 2\r\n\r\nno");
                 Engine engine = Engine.create(kind, options())) {
                Outcome outcome = engine.send(new FetchRequest(1, "1", URI.create(
                        server.url("/api")), method, Map.of(),
                        "{\"a\":1}".getBytes(StandardCharsets.UTF_8)))
                        .get(10, TimeUnit.SECONDS);

                assertThat(outcome.status()).as(method).isEqualTo(401);
                assertThat(outcome.error()).as("an answer, not a failure").isNull();
            }
        }
    }

    /**
     * After review: a Retry-After given twice was the first value on the event loop (Netty's)
     * and the last on the JDK engines: one engine's retry waited 1 s, the others' 4 s.
     */
    @ParameterizedTest
    @EnumSource
    void aDoubledRetryAfterIsReadAsItsFirstValue(EngineKind kind) throws Exception {
        Outcome outcome = answerTo(kind, "HTTP/1.1 503 Busy\r\nRetry-After: 1\r\n"
                + "Retry-After: 4\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
        assertThat(outcome.status()).isEqualTo(503);
        assertThat(outcome.retryAfter()).as(kind.cliName()).isEqualTo("1");
    }
}
