package dev.bulkfetch.engine;

import static dev.bulkfetch.engine.EngineContract.assertAnswered;
import static dev.bulkfetch.engine.EngineContract.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.RawServer;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every engine keeps a connection for the next item only as its answer ends cleanly:
 * bytes past an answer never reach the next item, and a kept-alive connection the server
 * closes unanswered is replaced (a GET sent again on a new one, a POST never).
 */
class ConnectionReuseContractTest {

    /**
     * After review: a 3xx to a HEAD declaring a long body (the size a GET would get) had its
     * connection closed as too long to drain, though no body comes; it is kept for the next.
     */
    @ParameterizedTest
    @EnumSource
    void aRedirectAnsweringAHeadKeepsItsConnectionWhateverLengthItDeclares(EngineKind kind)
            throws Exception {
        try (RawServer excess = new RawServer(RawServer.Mode.EXCESS);
             Engine engine = Engine.create(kind, options())) {
            Outcome outcome = engine.send(new FetchRequest(1, "1", URI.create(
                    excess.url("/head-moved")), "HEAD", java.util.Map.of(), null))
                    .get(10, TimeUnit.SECONDS);

            assertThat(outcome.status()).isEqualTo(200);
            assertThat(excess.requests()).isEqualTo(2);
            assertThat(excess.connections()).as("one connection for both").isEqualTo(1);
        }
    }

    /**
     * A server that sends more than its answer on a kept-alive connection (a body after a HEAD
     * or a 304, bytes past the Content-Length): on the event loop the excess became the start of
     * the next answer on that connection, and the next item failed as a protocol error ("invalid
     * version format: HELLOHTTP/1.1") or was given the excess as its body.
     */
    @ParameterizedTest
    @EnumSource
    void bytesBeyondAnAnswerNeverReachTheNextItem(EngineKind kind) throws Exception {
        try (RawServer excess = new RawServer(RawServer.Mode.EXCESS);
             Engine engine = Engine.create(kind, options())) {
            int closed = 0;
            for (String[] first : new String[][] {{"HEAD", "/head-body"},
                    {"GET", "/not-modified"}, {"GET", "/too-long"}}) {
                Outcome answered = engine.send(new FetchRequest(1, null,
                        URI.create(excess.url(first[1])), first[0], Map.of(), null))
                        .get(10, TimeUnit.SECONDS);
                assertThat(answered.status()).as(first[1]).isNotNull();
                if (first[1].equals("/too-long")) {
                    // What it declared: the JDK's engines counted the excess as body (7).
                    assertThat(answered.bytes()).isEqualTo(2);
                }
                if (kind == EngineKind.EVENT_LOOP) {
                    // Closed as the answer ends, never pooled: a request sent at once would
                    // otherwise take the connection before a later check could close it.
                    int expected = ++closed;
                    assertThat(Await.until(() -> excess.closedByClient() == expected,
                            Duration.ofSeconds(10))).as("closed after " + first[1]).isTrue();
                }
                Outcome next = engine.send(FetchRequest.get(2, URI.create(excess.url("/ok"))))
                        .get(10, TimeUnit.SECONDS);
                assertThat(next.error()).as("after " + first[1]).isNull();
                assertThat(next.status()).isEqualTo(200);
                assertThat(next.bytes()).isEqualTo(2);
            }
        }
    }

    /** Excess that comes after the answer, on a connection at rest: it is closed at once. */
    @Test
    void bytesArrivingOnAnIdleConnectionCloseIt() throws Exception {
        try (RawServer excess = new RawServer(RawServer.Mode.EXCESS);
             Engine engine = Engine.create(EngineKind.EVENT_LOOP, options())) {
            Outcome late = engine.send(FetchRequest.get(1, URI.create(excess.url("/late"))))
                    .get(10, TimeUnit.SECONDS);
            assertThat(late.status()).isEqualTo(304);

            excess.releaseLateBytes();

            assertThat(Await.until(() -> excess.closedByClient() == 1, Duration.ofSeconds(10)))
                    .as("the client closed the connection the excess came on").isTrue();
            Outcome next = engine.send(FetchRequest.get(2, URI.create(excess.url("/ok"))))
                    .get(10, TimeUnit.SECONDS);
            assertAnswered(next);
        }
    }

    /**
     * A GET whose kept-alive connection the server closes unanswered goes once more, on a new
     * connection, on every engine (the JDK did so by itself; the event loop ended the item as a
     * reset), and counts as one attempt.
     */
    @ParameterizedTest
    @EnumSource
    void aGetLostWithItsKeptAliveConnectionIsSentOnceMoreOnANewOne(EngineKind kind)
            throws Exception {
        try (RawServer closing = new RawServer(RawServer.Mode.CLOSES_ON_SECOND_REQUEST);
             Engine engine = Engine.create(kind, options())) {
            Outcome first = engine.send(FetchRequest.get(1, URI.create(closing.url("/a"))))
                    .get(10, TimeUnit.SECONDS);
            Outcome second = engine.send(FetchRequest.get(2, URI.create(closing.url("/b"))))
                    .get(10, TimeUnit.SECONDS);
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.error()).isNull();
            assertThat(second.status()).isEqualTo(200);
            // /a, /b on the kept connection (closed unanswered), /b again on a new one
            assertThat(closing.requests()).isEqualTo(3);
        }
    }

    /**
     * When every kept-alive connection closes at once (a server's keep-alive timeout), a GET
     * still ends answered: the event loop goes past each closing connection its pool offers,
     * the JDK opens a new one at once.
     */
    @ParameterizedTest
    @EnumSource(names = {"EVENT_LOOP", "THREADS", "VIRTUAL"}) // serial: one connection only
    void aGetFindsANewConnectionPastEveryClosingOne(EngineKind kind) throws Exception {
        try (RawServer closing = new RawServer(RawServer.Mode.TWO_CLOSING_ON_SECOND_REQUEST);
             Engine engine = Engine.create(kind, options())) {
            CompletableFuture<Outcome> a = engine.send(
                    FetchRequest.get(1, URI.create(closing.url("/a"))));
            CompletableFuture<Outcome> b = engine.send(
                    FetchRequest.get(2, URI.create(closing.url("/b"))));
            assertThat(a.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(b.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            Outcome c = engine.send(FetchRequest.get(3, URI.create(closing.url("/c"))))
                    .get(10, TimeUnit.SECONDS);
            assertThat(c.error()).isNull();
            assertThat(c.status()).isEqualTo(200);
        }
    }

    /**
     * A DELETE with an empty body (a byte array of none) lost the same way goes once more on
     * every engine, as one without a body does: the blocking engines send it with no bytes to
     * stream, which the JDK resends by itself, so the event loop resends it too.
     */
    @ParameterizedTest
    @EnumSource
    void aDeleteWithAnEmptyBodyLostWithItsKeptAliveConnectionIsSentOnceMore(EngineKind kind)
            throws Exception {
        try (RawServer closing = new RawServer(RawServer.Mode.CLOSES_ON_SECOND_REQUEST);
             Engine engine = Engine.create(kind, options())) {
            Outcome first = engine.send(FetchRequest.get(1, URI.create(closing.url("/a"))))
                    .get(10, TimeUnit.SECONDS);
            Outcome second = engine.send(new FetchRequest(2, null, URI.create(closing.url("/b")),
                    "DELETE", Map.of(), new byte[0])).get(10, TimeUnit.SECONDS);
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.error()).isNull();
            assertThat(second.status()).isEqualTo(200);
            assertThat(closing.requests()).isEqualTo(3);
        }
    }

    /**
     * A POST lost the same way is not sent again by any engine: the server may have acted on
     * it. The JDK resent it by itself (sun.net.http.retryPost is true by default).
     */
    @ParameterizedTest
    @EnumSource
    void aPostLostWithItsKeptAliveConnectionIsNotSentAgain(EngineKind kind) throws Exception {
        try (RawServer closing = new RawServer(RawServer.Mode.CLOSES_ON_SECOND_REQUEST);
             Engine engine = Engine.create(kind, options())) {
            // A GET first: the JDK's connection cache is the JVM's, and should it hold a dead
            // connection to this port from an earlier server, the JDK resends a GET.
            Outcome first = engine.send(FetchRequest.get(1, URI.create(closing.url("/a"))))
                    .get(10, TimeUnit.SECONDS);
            Outcome second = engine.send(new FetchRequest(2, null, URI.create(closing.url("/b")),
                    "POST", Map.of(), null)).get(10, TimeUnit.SECONDS);
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.status()).isNull();
            assertThat(second.error().kind()).isEqualTo(ErrorKind.RESET);
            assertThat(closing.requests()).isEqualTo(2);
        }
    }

    /**
     * A 204 that sends a body anyway (with the head, in one write) does not spoil its
     * connection for the next item: the event loop read the stray body as the next answer's
     * start. The JDK passes because it drops what came in the head's read.
     */
    @ParameterizedTest
    @EnumSource
    void aBodySentWithA204IsNotTakenForTheNextAnswer(EngineKind kind) throws Exception {
        try (RawServer server = new RawServer(RawServer.Mode.NO_CONTENT_WITH_BODY);
             Engine engine = Engine.create(kind, options())) {
            Outcome noContent = engine.send(FetchRequest.get(1,
                    URI.create(server.url("/nocontent")))).get(10, TimeUnit.SECONDS);
            Outcome next = engine.send(FetchRequest.get(2, URI.create(server.url("/next"))))
                    .get(10, TimeUnit.SECONDS);
            assertThat(noContent.status()).isEqualTo(204);
            assertThat(next.error()).isNull();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.bytes()).isEqualTo(2);
        }
    }
}
