package dev.bulkfetch.engine;

import static dev.bulkfetch.engine.EngineContract.MOVED;
import static dev.bulkfetch.engine.EngineContract.assertCancelledByTheClose;
import static dev.bulkfetch.engine.EngineContract.assertGivenUp;
import static dev.bulkfetch.engine.EngineContract.patient;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.engine.EngineContract.NeverGranted;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.FullListener;
import dev.bulkfetch.testing.NotingHandler;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.Threads;
import dev.bulkfetch.testing.UploadServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A caller's cancel and the engine's close end a request on every engine, wherever it is:
 * still connecting, waiting for its answer, or stalled reading a body (a redirect's too);
 * and its connection goes with it.
 */
class CancelContractTest {

    /**
     * A caller's cancel of a request on the wire (a library user's) left it running until its
     * timeout, holding its connection: every engine now ends it, and closes the connection.
     */
    @ParameterizedTest
    @EnumSource
    void cancellingTheFutureOfARequestOnTheWireClosesItsConnection(EngineKind kind)
            throws Exception {
        try (RawServer silent = new RawServer(RawServer.Mode.NEVER_ANSWER);
             Engine engine = Engine.create(kind, patient())) {
            java.util.concurrent.CompletableFuture<Outcome> sent = engine.send(
                    FetchRequest.get(1, URI.create(silent.url("/wait"))));
            assertThat(dev.bulkfetch.testing.Await.until(() -> silent.requests() == 1,
                    Duration.ofSeconds(20))).as("the request on the wire").isTrue();

            assertThat(sent.cancel(false)).isTrue();

            assertThat(dev.bulkfetch.testing.Await.until(() -> silent.closedByClient() == 1,
                    Duration.ofSeconds(20))).as("its connection closed").isTrue();
        }
    }

    /**
     * Closing the engine while a request's body is stalled on the wire (the server read its
     * head and no more, and the write waits for room) ends it cancelled, with no new
     * connection. The JDK's stream kept quiet about the write the close cut, and the JDK
     * engines went on to wait for an answer on a new connection: close() waited its 5 s on
     * platform threads. Not the event loop's: no thread's stack shows its write.
     */
    @ParameterizedTest
    @EnumSource(names = "EVENT_LOOP", mode = EnumSource.Mode.EXCLUDE)
    void closingEndsAStalledUploadAsCancelled(EngineKind kind) throws Exception {
        try (UploadServer stalled = UploadServer.readingHeadOnly()) {
            Engine engine = Engine.create(kind, patient());
            CompletableFuture<Outcome> sent = engine.send(largePut(stalled));
            String[] frames = {"ExchangeRequests.open", "NioSocketImpl.write"};
            assertThat(Await.until(() -> kind == EngineKind.VIRTUAL
                    ? Threads.anyVirtualAt("bulkfetch-", frames)
                    : Threads.anyAt("bulkfetch-", frames), Duration.ofSeconds(20)))
                    .as("the body's write").isTrue();

            assertCancelledByTheClose(engine, sent);
            assertThat(stalled.connections()).as("no connection after the first").isEqualTo(1);
        }
    }

    /**
     * Closing the engine as an upload's head reaches the server ends it cancelled too. On the
     * JDK engines such a close came either as above, in the body's write, or before the JDK
     * had made the body's stream, which it then failed to make: a protocol error, in a
     * NullPointerException's words.
     */
    @ParameterizedTest
    @EnumSource
    void closingAsAnUploadsHeadArrivesEndsItAsCancelled(EngineKind kind) throws Exception {
        try (UploadServer stalled = UploadServer.readingHeadOnly()) {
            Engine engine = Engine.create(kind, patient());
            CompletableFuture<Outcome> sent = engine.send(largePut(stalled));
            assertThat(stalled.awaitReceived(1, Duration.ofSeconds(20)))
                    .as("the request's head on the wire").isTrue();

            assertCancelledByTheClose(engine, sent);
            assertThat(stalled.connections()).as("no connection after the first").isEqualTo(1);
        }
    }

    /** A PUT larger than loopback's buffers take at once, to a server that stalls it. */
    private static FetchRequest largePut(UploadServer stalled) {
        return new FetchRequest(1, null, URI.create(stalled.url("/upload")), "PUT",
                java.util.Map.of(), new byte[16 << 20]);
    }

    /**
     * A caller's cancel while a redirect waits for the rate ends the item and gives its permit
     * up, on every engine: the blocking engines left it pending, and granted later, the rate
     * counted a start for a request never sent.
     */
    @ParameterizedTest
    @EnumSource
    void cancellingARedirectWaitingForTheRateGivesUpItsPermit(EngineKind kind) throws Exception {
        NeverGranted gate = new NeverGranted();
        try (RawServer moved = RawServer.answering(MOVED);
             Engine engine = Engine.create(kind, patient(), gate)) {
            CompletableFuture<Outcome> sent = engine.send(
                    FetchRequest.get(1, URI.create(moved.url("/moved"))));
            CompletableFuture<Void> permit = gate.asked.get(20, TimeUnit.SECONDS);

            assertThat(sent.cancel(false)).isTrue();

            assertGivenUp(permit);
        }
    }

    /**
     * A body that ends where its connection does, stalled after its first bytes, with a minute
     * for every timeout: closing the engine ends its read at once, cancelled by its caller
     * first or not. A platform thread's read noticed neither (it is no interrupt), and close()
     * waited 5 s for it; the JDK's stream under such a body takes no lock that its close waits
     * on, so closing the connection ends the read.
     */
    @ParameterizedTest(name = "{0} cancelled first: {1}")
    @MethodSource("everyEngineCancelledOrNot")
    void closingEndsTheStalledReadOfABodyThatEndsWithItsConnection(EngineKind kind,
            boolean cancelled) throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        EngineOptions patient = new EngineOptions(8, Duration.ofSeconds(60),
                Duration.ofSeconds(60), Duration.ofSeconds(60), 10_000, 3,
                NotingHandler.noting(started), false);
        try (RawServer stalled = new RawServer(RawServer.Mode.ENDLESS_CLOSE_DELIMITED)) {
            Engine engine = Engine.create(kind, patient);
            CompletableFuture<Outcome> sent = engine.send(
                    FetchRequest.get(1, URI.create(stalled.url("/stream"))));
            assertThat(started.await(20, TimeUnit.SECONDS)).as("the body started").isTrue();
            if (kind == EngineKind.THREADS || kind == EngineKind.SERIAL) {
                // In its read, not between reads, where a cancel or a close is seen anyway.
                assertThat(Await.until(() -> dev.bulkfetch.testing.Threads.anyAt("bulkfetch-",
                                "BlockingBody.count", "NioSocketImpl.read"),
                        Duration.ofSeconds(20))).as("the body's read blocked").isTrue();
            }
            if (cancelled) {
                assertThat(sent.cancel(false)).isTrue();
            }

            CompletableFuture<Void> closed = CompletableFuture.runAsync(engine::close);

            // Well under the 5 s close() waited: a bound for the behaviour, not a benchmark.
            closed.get(3, TimeUnit.SECONDS);
            if (!cancelled) {
                Outcome outcome = sent.get(3, TimeUnit.SECONDS);
                // Cut in its body: the server's answer keeps its status.
                assertThat(outcome.status()).isEqualTo(200);
                assertThat(outcome.error().kind()).as(outcome.toString())
                        .isEqualTo(ErrorKind.CANCELLED);
            }
        }
    }

    static Stream<Arguments> everyEngineCancelledOrNot() {
        return Stream.of(EngineKind.values()).flatMap(kind -> Stream.of(
                Arguments.of(kind, true), Arguments.of(kind, false)));
    }

    /**
     * As above, for a redirect's body, read past before the redirect is followed: closing the
     * engine ends its stalled read, and the item is cancelled, as when a final body's read is
     * cut. On virtual threads that read was read plainly, its cut taken for the server's: the
     * item was reset, and a stopped run recorded it as failed rather than leave it to --resume.
     * On platform threads nothing ended it: close() waited its 5 s, the item its idle timeout.
     */
    @ParameterizedTest(name = "{0}, redirect with {1}")
    @MethodSource("redirectBodiesACloseCuts")
    void closingEndsTheStalledReadOfARedirectsBodyAsCancelled(EngineKind kind, String framing)
            throws Exception {
        try (RawServer stalled = RawServer.holding("HTTP/1.1 302 Found\r\nLocation: /landed"
                + "\r\n" + framing + "\r\n\r\nthe start")) {
            Engine engine = Engine.create(kind, patient());
            CompletableFuture<Outcome> sent = engine.send(
                    FetchRequest.get(1, URI.create(stalled.url("/moved"))));
            // In the read of the redirect's body, not before it, nor between reads.
            String[] frames = {"BlockingBody.drain", "NioSocketImpl.read"};
            assertThat(Await.until(() -> kind == EngineKind.VIRTUAL
                    ? Threads.anyVirtualAt("bulkfetch-", frames)
                    : Threads.anyAt("bulkfetch-", frames), Duration.ofSeconds(20)))
                    .as("the redirect's body read, more awaited").isTrue();

            assertCancelledByTheClose(engine, sent);
        }
    }

    /**
     * Redirect bodies whose stalled read the engine's close ends: on every blocking engine,
     * one that ends with its connection; on virtual threads, one of a declared length too,
     * whose read on a platform thread nothing can end (see BlockingExchange.abortBeforeBody).
     * Not the event loop's: no thread's stack shows its read, and nothing else tells a test
     * that the loop has read the answer before the close.
     */
    static Stream<Arguments> redirectBodiesACloseCuts() {
        return Stream.of(Arguments.of(EngineKind.THREADS, "Connection: close"),
                Arguments.of(EngineKind.SERIAL, "Connection: close"),
                Arguments.of(EngineKind.VIRTUAL, "Connection: close"),
                Arguments.of(EngineKind.VIRTUAL, "Content-Length: 20"));
    }

    /**
     * After review: a caller's cancel while the connection was still being made. The event
     * loop's abort left the new socket connecting, then open, for the client's life; a JDK
     * engine cannot reach a connect under way, and sent the request once it was made. Now the
     * event loop ends the connect, and a JDK engine closes the connection unused.
     */
    @ParameterizedTest
    @EnumSource
    void cancellingTheFutureOfARequestStillConnectingSendsNothing(EngineKind kind)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(FullListener.socketsVisible());
        try (FullListener full = new FullListener();
             Engine engine = Engine.create(kind, patient())) {
            java.util.concurrent.CompletableFuture<Outcome> sent = engine.send(
                    FetchRequest.get(1, URI.create(full.url("/cancelled"))));
            assertThat(dev.bulkfetch.testing.Await.until(() -> full.connecting() == 1,
                    Duration.ofSeconds(20))).as("its connect under way").isTrue();

            assertThat(sent.cancel(false)).isTrue();
            // Room in the queue: a connect still under way is made at the client's next SYN.
            full.release();

            assertThat(dev.bulkfetch.testing.Await.until(() -> full.clientSocketsOpen() == 0
                    && full.ended() == full.accepted(), Duration.ofSeconds(40)))
                    .as("no socket of the client left to it").isTrue();
            assertThat(full.received()).as("bytes of the request sent").isZero();
        }
    }
}
