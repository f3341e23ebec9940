package dev.bulkfetch.engine;

import static dev.bulkfetch.engine.EngineContract.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.Fetcher;
import dev.bulkfetch.testing.UploadServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every engine makes of a server's answers to a request with a body: the body goes
 * once, and an answer the server gave before it stopped reading the body is the record.
 */
class RequestBodyContractTest {

    /**
     * A {@code 100 Continue} the request did not ask for (it had no {@code Expect}), after the
     * server read the whole body, is skipped for the answer after it, and the body is not sent
     * again: a second copy would be the start of the next request on that connection. AHC
     * 3.0.1 writes a streamed body again after any 100; the event loop sends bytes, which it
     * does not (with a streamed body this failed: "unexpected message type").
     */
    @ParameterizedTest
    @EnumSource
    void anUnaskedFor100ContinueLeavesTheBodySentOnce(EngineKind kind) throws Exception {
        try (UploadServer server = UploadServer.continuingUnasked();
             Engine engine = Engine.create(kind, options())) {
            Outcome first = engine.send(post(1, server.url("/a"), "first"))
                    .get(10, TimeUnit.SECONDS);
            Outcome second = engine.send(post(2, server.url("/b"), "second"))
                    .get(10, TimeUnit.SECONDS);

            for (Outcome outcome : new Outcome[] {first, second}) {
                assertThat(outcome.error()).as(outcome.toString()).isNull();
                assertThat(outcome.status()).isEqualTo(200);
                assertThat(outcome.bytes()).isEqualTo(2);
            }
            assertThat(server.received()).hasSize(2);
            assertThat(server.received().get(0).head()).startsWith("POST /a HTTP/1.1\r\n");
            assertThat(server.received().get(0).body()).isEqualTo("first");
            assertThat(server.received().get(1).head()).startsWith("POST /b HTTP/1.1\r\n");
            assertThat(server.received().get(1).body()).isEqualTo("second");
            assertThat(server.connections()).as("both on one connection").isEqualTo(1);
        }
    }

    /**
     * A server that refuses a large upload as it begins (a 413, its connection then reset
     * with the body unread) is seen to refuse it: the record is the 413, as the whole answer
     * came before the reset. The event loop recorded a reset, with no status or beside the
     * 413 ("connection closed before the response was complete").
     */
    @ParameterizedTest
    @EnumSource
    void aLargeUploadRefusedAsItBeginsIsRecordedAsTheRefusal(EngineKind kind)
            throws Exception {
        try (UploadServer server = UploadServer.refusingEarly();
             Engine engine = Engine.create(kind, options())) {
            Outcome outcome = engine.send(new FetchRequest(1, null,
                    URI.create(server.url("/upload")), "POST", Map.of(), largeBody()))
                    .get(10, TimeUnit.SECONDS);

            assertThat(outcome.status()).as(outcome.toString()).isEqualTo(413);
            assertThat(outcome.error()).isNull();
            assertThat(outcome.bytes()).isZero();
        }
    }

    /**
     * A server that answers {@code 200}, kept alive, as soon as a request's head has come and
     * then reads the body gets the whole body, and the connection carries the next request:
     * the event loop cut the body short there, taking any early answer for a refusal (found
     * by review), where RFC 9112 (9.5) stops a body only for a server closing the connection.
     */
    @ParameterizedTest
    @EnumSource
    void anEarlyAnswerKeptAliveLetsTheWholeBodyGo(EngineKind kind) throws Exception {
        try (UploadServer server = UploadServer.acceptingEarly();
             Engine engine = Engine.create(kind, options())) {
            Outcome first = engine.send(new FetchRequest(1, null,
                    URI.create(server.url("/upload")), "POST", Map.of(), largeBody()))
                    .get(30, TimeUnit.SECONDS);
            Outcome second = engine.send(post(2, server.url("/after"), "second"))
                    .get(30, TimeUnit.SECONDS);

            for (Outcome outcome : new Outcome[] {first, second}) {
                assertThat(outcome.error()).as(outcome.toString()).isNull();
                assertThat(outcome.status()).isEqualTo(200);
            }
            assertThat(server.awaitReceived(2, Duration.ofSeconds(30))).isTrue();
            assertThat(server.received().get(0).body()).isEqualTo((16 << 20) + " bytes");
            assertThat(server.received().get(1).head()).startsWith("POST /after HTTP/1.1\r\n");
            assertThat(server.received().get(1).body()).isEqualTo("6 bytes");
            assertThat(server.connections()).as("both on one connection").isEqualTo(1);
        }
    }

    /**
     * A large upload the server is slow to start reading (none of it for twice the idle
     * timeout) is no silence: the idle timeout counts from when the whole request has gone,
     * as the JDK's read timeout does, and the record is the 200. The event loop counted it
     * from the write's start and ended the item mid-upload as "nothing came for 400 ms"
     * (found by an exploratory test, at 10 s).
     */
    @ParameterizedTest
    @EnumSource
    void anUploadTheServerIsSlowToReadIsNotSilence(EngineKind kind) throws Exception {
        Duration idle = Duration.ofMillis(400);
        EngineOptions options = new EngineOptions(8, Duration.ofSeconds(5),
                Duration.ofSeconds(20), idle, 10_000, 3, null, false);
        try (UploadServer server = UploadServer.readingLate(idle.multipliedBy(2));
             Engine engine = Engine.create(kind, options)) {
            Outcome outcome = engine.send(new FetchRequest(1, null,
                    URI.create(server.url("/upload")), "POST", Map.of(), largeBody()))
                    .get(30, TimeUnit.SECONDS);

            assertThat(outcome.error()).as(outcome.toString()).isNull();
            assertThat(outcome.status()).isEqualTo(200);
            assertThat(server.received().get(0).body()).isEqualTo((16 << 20) + " bytes");
        }
    }

    /**
     * An upload answered {@code 200} (kept alive) as it begins, its body then left unread, is
     * not done before its body has gone: it ends at its timeout, and the request after it goes
     * on a connection of its own and gets its answer. The event loop recorded the 200 at once
     * and pooled the connection with the body still going out, and the next request waited
     * behind it until its own timeout (found by review).
     */
    @ParameterizedTest
    @EnumSource
    void anUploadAnsweredEarlyIsNotDoneBeforeItsBodyHasGone(EngineKind kind) throws Exception {
        EngineOptions options = EngineContract.deadlines();
        try (UploadServer server = UploadServer.acceptingEarlyThenStalling();
             Engine engine = Engine.create(kind, options)) {
            Outcome upload = engine.send(new FetchRequest(1, null,
                    URI.create(server.url("/upload")), "POST", Map.of(), largeBody()))
                    .get(10, TimeUnit.SECONDS);
            Outcome after = engine.send(FetchRequest.get(2, URI.create(server.url("/after"))))
                    .get(10, TimeUnit.SECONDS);

            assertThat(upload.error()).as(upload.toString()).isNotNull();
            assertThat(upload.error().message()).isEqualTo("timed out: request took longer than "
                    + options.requestTimeout().toMillis() + " ms");
            assertThat(after.error()).as(after.toString()).isNull();
            assertThat(after.status()).isEqualTo(200);
        }
    }

    /**
     * The run makes that 413 an {@code http} error, sent once at the default retries, a PUT
     * (idempotent) too: no retry is for a 413, where a reset is retried for a PUT.
     */
    @ParameterizedTest
    @EnumSource
    void aRefusedUploadIsAnHttpErrorNotRetried(EngineKind kind) throws Exception {
        try (UploadServer server = UploadServer.refusingEarly();
             Fetcher fetcher = Fetcher.builder().engine(kind).build()) {
            FetchResult result = fetcher.fetch(new FetchRequest(1, null,
                    URI.create(server.url("/upload")), "PUT", Map.of(), largeBody()))
                    .get(30, TimeUnit.SECONDS);

            assertThat(result.status()).as(result.toString()).isEqualTo(413);
            assertThat(result.error().kind()).isEqualTo(ErrorKind.HTTP);
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(server.received()).hasSize(1);
        }
    }

    /**
     * An upload the server stops reading after its head (its body then fills the connection's
     * buffers, and the write blocks) ends at the request timeout, a timeout, on one
     * connection. The JDK engines took twice the timeout: the JDK's stream kept quiet about
     * the write the deadline cut, and reading the answer then opened a new connection and
     * waited on it for the time the request had had left.
     */
    @ParameterizedTest
    @EnumSource
    void anUploadTheServerStopsReadingEndsAtTheRequestTimeout(EngineKind kind)
            throws Exception {
        try (UploadServer server = UploadServer.readingHeadOnly()) {
            assertAStalledUploadEndsAtTheRequestTimeout(kind, server);
        }
    }

    /**
     * The same over TLS. The JDK engines' deadline closed the TLS socket, whose close waits
     * for its write lock, held by the blocked write, to say close_notify: the item ran on
     * until the server went (over 10 s), and the event loop's timer ended it.
     */
    @ParameterizedTest
    @EnumSource
    void anUploadTheServerStopsReadingOverTlsEndsAtTheRequestTimeout(EngineKind kind)
            throws Exception {
        try (UploadServer server = UploadServer.readingHeadOnlyOverTls()) {
            assertAStalledUploadEndsAtTheRequestTimeout(kind, server);
        }
    }

    /**
     * The idle timeout is shorter than the request's: it has not begun while the body is going
     * (the JDK's is a socket read's), and the event loop ended such an upload at it, in its
     * words. A bound on the latency, not a measure of speed: half the timeout is far more than
     * the end of a deadline takes.
     */
    private static void assertAStalledUploadEndsAtTheRequestTimeout(EngineKind kind,
            UploadServer server) throws Exception {
        Duration timeout = Duration.ofMillis(800);
        EngineOptions options = new EngineOptions(8, Duration.ofSeconds(2), timeout,
                Duration.ofMillis(600), 10_000, 3, null, true);
        try (Engine engine = Engine.create(kind, options)) {
            Outcome outcome = engine.send(new FetchRequest(1, null,
                    URI.create(server.url("/upload")), "POST", Map.of(), largeBody()))
                    .get(10, TimeUnit.SECONDS);

            assertThat(outcome.error()).as(outcome.toString()).isEqualTo(FetchError.of(
                    ErrorKind.TIMEOUT, "timed out: request took longer than 800 ms"));
            assertThat(outcome.status()).isNull();
            assertThat(outcome.latencyNanos()).isLessThan(timeout.multipliedBy(3).dividedBy(2)
                    .toNanos());
            assertThat(server.awaitReceived(1, Duration.ofSeconds(10))).isTrue();
            assertThat(server.received()).hasSize(1);
            assertThat(server.connections()).as("no connection after the first").isEqualTo(1);
        }
    }

    /** Larger than loopback's buffers take at once: the server refuses it mid-write. */
    private static byte[] largeBody() {
        byte[] body = new byte[16 << 20];
        Arrays.fill(body, (byte) 'u');
        return body;
    }

    private static FetchRequest post(long seq, String url, String body) {
        return new FetchRequest(seq, null, URI.create(url), "POST", Map.of(),
                body.getBytes(StandardCharsets.US_ASCII));
    }
}
