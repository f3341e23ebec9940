package dev.bulkfetch.engine;

import static dev.bulkfetch.engine.EngineContract.MOVED;
import static dev.bulkfetch.engine.EngineContract.assertCancelledByTheClose;
import static dev.bulkfetch.engine.EngineContract.assertGivenUp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.engine.EngineContract.NeverGranted;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.FullListener;
import dev.bulkfetch.testing.RawServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The event loop's close ends every item in flight as cancelled, wherever its exchange is. AHC,
 * once closed, heeds no connection's close, so an exchange whose answer had not begun to come
 * (sent and unanswered, a redirect's next request, a connect) was left pending for ever.
 */
class EventLoopCloseTest {

    // Closed after each test, whatever it asserted: an engine left open holds the shared loop.
    private final List<Engine> engines = new ArrayList<>();

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);  // a second close is harmless
    }

    private Engine engine() {
        return engine(RedirectGate.OPEN);
    }

    private Engine engine(RedirectGate gate) {
        Engine engine = Engine.create(EngineKind.EVENT_LOOP, patient(), gate);
        engines.add(engine);
        return engine;
    }

    /** A minute for every timeout: only the close ends the request. */
    private static EngineOptions patient() {
        return new EngineOptions(8, Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(60), 10_000, 3, null, false);
    }

    @Test
    void closingEndsARequestSentAndNotYetAnsweredAsCancelled() throws Exception {
        try (RawServer silent = new RawServer(RawServer.Mode.NEVER_ANSWER)) {
            sendThenClose(silent.url("/wait"), () -> silent.requests() == 1,
                    "the request on the wire");
        }
    }

    /** The hand-off: the 3xx answered in full, the next hop's request sent, unanswered. */
    @Test
    void closingEndsARedirectsNextRequestNotYetAnsweredAsCancelled() throws Exception {
        try (RawServer silent = new RawServer(RawServer.Mode.NEVER_ANSWER);
             RawServer moved = RawServer.answering("HTTP/1.1 302 Found\r\nLocation: "
                     + silent.url("/next") + "\r\nContent-Length: 0\r\n\r\n")) {
            Outcome outcome = sendThenClose(moved.url("/moved"), () -> silent.requests() == 1,
                    "the next hop's request on the wire");
            assertThat(outcome.redirected()).isTrue();
        }
    }

    /**
     * Between the hops, waiting for the rate to let the next one start: nothing is on the wire
     * for the close to abort, and the run's sender, closed first, left the permit pending for
     * good, so the item ended at its timeout as {@code timeout}, where the blocking engines'
     * close ends it as cancelled. The gate here never grants, and the close gives its permit up.
     */
    @Test
    void closingEndsARedirectWaitingForTheRateAsCancelled() throws Exception {
        try (RawServer moved = RawServer.answering(MOVED)) {
            Waiting waiting = redirectWaitingForTheRate(moved);

            Outcome outcome = assertCancelledByTheClose(waiting.engine(), waiting.sent());
            assertThat(outcome.redirected()).isTrue();
            assertGivenUp(waiting.permit());
            assertThat(moved.requests()).as("no next hop sent").isEqualTo(1);
        }
    }

    /** An item whose redirect waits for a rate that never lets it start, and its permit. */
    private record Waiting(Engine engine, CompletableFuture<Outcome> sent,
                           CompletableFuture<Void> permit) {
    }

    /** Sends to {@code moved} (which answers {@code MOVED}) until its redirect waits. */
    private Waiting redirectWaitingForTheRate(RawServer moved) throws Exception {
        NeverGranted gate = new NeverGranted();
        Engine engine = engine(gate);
        CompletableFuture<Outcome> sent = engine.send(
                FetchRequest.get(1, URI.create(moved.url("/moved"))));
        return new Waiting(engine, sent, gate.asked.get(20, TimeUnit.SECONDS));
    }

    /**
     * Closing twice is closing once (AutoCloseable's advice): the second close released the
     * shared loop again, and shut it down under another engine that still used it.
     */
    @Test
    void closingTwiceLeavesTheSharedLoopToTheEnginesStillUsingIt() throws Exception {
        try (RawServer ok = RawServer.answering(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
             Engine other = Engine.create(EngineKind.EVENT_LOOP, patient())) {
            Engine engine = Engine.create(EngineKind.EVENT_LOOP, patient());
            engine.close();
            engine.close();

            Outcome outcome = other.send(FetchRequest.get(1, URI.create(ok.url("/after"))))
                    .get(20, TimeUnit.SECONDS);
            assertThat(outcome.status()).isEqualTo(200);
        }
    }

    /**
     * A connect under way, with the shared loop kept by another engine (two fetchers in one
     * process): its shutdown, which closes every channel on it, does not end the connect.
     */
    @Test
    void closingEndsARequestStillConnectingAsCancelled() throws Exception {
        Assumptions.assumeTrue(FullListener.socketsVisible());
        try (FullListener full = new FullListener();
             Engine other = Engine.create(EngineKind.EVENT_LOOP, patient())) {
            sendThenClose(full.url("/connecting"), () -> full.connecting() == 1,
                    "its connect under way");
        }
    }

    /**
     * The case first seen (3 cold runs in 12): a 3xx whose body stalls after its first bytes.
     * Nothing tells a test whether the loop has read the answer when the close comes; the item
     * is cancelled either way, so the close lands wherever it does.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Connection: close", "Content-Length: 20",
            "Transfer-Encoding: chunked"})
    void closingEndsARedirectWhoseBodyStalledAsCancelled(String framing) throws Exception {
        String start = framing.startsWith("Transfer") ? "9\r\nthe start\r\n" : "the start";
        try (RawServer stalled = RawServer.holding("HTTP/1.1 302 Found\r\nLocation: /landed\r\n"
                + framing + "\r\n\r\n" + start)) {
            sendThenClose(stalled.url("/moved"), () -> stalled.requests() == 1,
                    "the request on the wire");
        }
    }

    /**
     * Sends to {@code url} on a new engine, waits until {@code reached} (where the close must
     * find the exchange), closes the engine, and asserts the item cancelled.
     */
    private Outcome sendThenClose(String url, Await.Condition reached, String where)
            throws Exception {
        Engine engine = engine();
        CompletableFuture<Outcome> sent = engine.send(FetchRequest.get(1, URI.create(url)));
        assertThat(Await.until(reached, Duration.ofSeconds(20))).as(where).isTrue();
        return assertCancelledByTheClose(engine, sent);
    }

}
