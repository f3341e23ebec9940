package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.TestServer;
import dev.bulkfetch.testing.TestSubscriber;
import dev.bulkfetch.testing.Threads;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A program that wants fewer results than it asked for: a stream it closes after its first
 * result, a publisher whose subscriber cancels or stalls. What it started and no longer wants
 * ends, on every engine, and a stalled subscriber holds no more back than its buffer says.
 */
class FetcherEndingEarlyTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    /**
     * A stream closed after its first result left the requests it had submitted running to
     * their end, a minute here, their results dropped: the server's work and the client's for
     * nothing. They are now cancelled, those on the wire (their connections closed) and those
     * queued behind them (never sent).
     */
    @ParameterizedTest
    @EnumSource
    void closingAStreamEndsTheRequestsItSubmittedOnTheWireOrQueued(EngineKind engine)
            throws Exception {
        int concurrency = engine == EngineKind.SERIAL ? 1 : 2;
        try (RawServer silent = new RawServer(RawServer.Mode.NEVER_ANSWER);
             Fetcher fetcher = patient(engine, concurrency)) {
            try (Stream<FetchResult> results = fetcher.stream(oneQuickThenSilent(silent,
                    concurrency))) {
                Optional<FetchResult> first = results.findFirst();

                assertThat(first).get().matches(FetchResult::ok, "ok");
                // The concurrency on the wire, as many queued: the stream's window is full.
                assertTheSilentOnesOnTheWire(silent, concurrency);
            }

            assertTheSilentOnesEnded(silent, fetcher, concurrency);
        }
    }

    /** As a closed stream's, a publisher's requests went on after its last subscriber left. */
    @ParameterizedTest
    @EnumSource
    void aPublishersLastCancelEndsTheRequestsItSubmittedOnTheWireOrQueued(EngineKind engine)
            throws Exception {
        int concurrency = engine == EngineKind.SERIAL ? 1 : 2;
        try (RawServer silent = new RawServer(RawServer.Mode.NEVER_ANSWER);
             Fetcher fetcher = patient(engine, concurrency)) {
            TestSubscriber subscriber = TestSubscriber.stoppingAfter(10);
            fetcher.publisher(oneQuickThenSilent(silent, concurrency)).subscribe(subscriber);
            assertThat(Await.until(() -> subscriber.received().size() == 1,
                    Duration.ofSeconds(20))).as("the quick one received").isTrue();
            assertTheSilentOnesOnTheWire(silent, concurrency);

            subscriber.cancel();

            assertTheSilentOnesEnded(silent, fetcher, concurrency);
        }
    }

    /**
     * A subscriber that asks for one result and stalls had about 256 + 2 x the concurrency
     * requests sent, whatever it needed: the publisher's buffer is now the caller's to size.
     * Here the bound is exact: one handed over, one buffered, one held by the publisher's
     * thread as it waits for room, and the stream's window, twice the concurrency.
     */
    @Test
    void aPublisherWithABufferOfOneSendsForAStalledSubscriberOnlyWhatItsBoundSays()
            throws Exception {
        awaitNoPublisherThread();
        int concurrency = 2;
        AtomicInteger pulled = new AtomicInteger();
        try (RawServer ok = RawServer.answering(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
             Fetcher fetcher = Fetcher.builder().concurrency(concurrency).build()) {
            Stream<FetchRequest> requests = LongStream.rangeClosed(1, 1_000)
                    .mapToObj(i -> FetchRequest.get(i, URI.create(ok.url("/item/" + i))))
                    .peek(request -> pulled.incrementAndGet());
            TestSubscriber subscriber = TestSubscriber.stoppingAfter(1);
            fetcher.publisher(requests, 1).subscribe(subscriber);
            try {
                // Settled: the publisher waits for room, the stream's feeder for its window
                // (parked: no permit left), and what it sent has all reached the server.
                assertThat(Await.until(() -> Threads.anyWaitingIn("bulkfetch-publisher",
                                "SubmissionPublisher$BufferedSubscription.awaitSpace")
                        && Threads.anyVirtualAt("bulkfetch-stream", "Semaphore.acquire",
                                "LockSupport.park")
                        && ok.requests() == pulled.get(), Duration.ofSeconds(20)))
                        .as("the publisher and the stream's feeder waiting").isTrue();

                assertThat(ok.requests()).isEqualTo(1 + 1 + 1 + 2 * concurrency);
                assertThat(subscriber.received()).hasSize(1);
            } finally {
                subscriber.cancel();
            }
        }
    }

    @Test
    void aPublishersBufferSizeBelowOneIsRefusedAndNamed() {
        try (Fetcher fetcher = Fetcher.builder().build()) {
            Stream<FetchRequest> none = Stream.empty();

            assertThatThrownBy(() -> fetcher.publisher(none, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("bufferSize < 1: 0");
            assertThatThrownBy(() -> fetcher.publisher(none, -3))
                    .hasMessage("bufferSize < 1: -3");
        }
    }

    /** Timeouts of a minute: a request that ends in this test's time was ended, not timed out. */
    private static Fetcher patient(EngineKind engine, int concurrency) {
        return Fetcher.builder().engine(engine).concurrency(concurrency)
                .requestTimeout(Duration.ofSeconds(60)).idleTimeout(Duration.ofSeconds(60))
                .build();
    }

    /**
     * One request the test server answers at once, then twice the concurrency that {@code
     * silent} never answers: with the quick one's result taken, the stream's window (twice the
     * concurrency) holds the silent ones, half of them on the wire and half queued.
     */
    private static Stream<FetchRequest> oneQuickThenSilent(RawServer silent, int concurrency) {
        return Stream.concat(Stream.of(server.request(1, "/ok/")),
                LongStream.rangeClosed(2, 1 + 2L * concurrency).mapToObj(
                        i -> FetchRequest.get(i, URI.create(silent.url("/wait/" + i)))));
    }

    private static void assertTheSilentOnesOnTheWire(RawServer silent, int concurrency)
            throws Exception {
        assertThat(Await.until(() -> silent.requests() == concurrency, Duration.ofSeconds(20)))
                .as("the silent ones on the wire").isTrue();
    }

    /**
     * Those on the wire had their connections closed, well before their minute; those queued
     * were withdrawn: the slots are free for the next request (the queued ones, still there,
     * would have taken them first, for a minute), and the server never saw them.
     */
    private static void assertTheSilentOnesEnded(RawServer silent, Fetcher fetcher,
            int concurrency) throws Exception {
        assertThat(Await.until(() -> silent.closedByClient() == concurrency,
                Duration.ofSeconds(20))).as("the connections on the wire closed").isTrue();
        FetchResult next = fetcher.fetch(server.request(2, "/ok/"))
                .orTimeout(20, TimeUnit.SECONDS).join();
        assertThat(next.ok()).as("the next request went").isTrue();
        assertThat(silent.requests()).as("the queued ones never sent").isEqualTo(concurrency);
    }

    /** No publisher's thread of an earlier test is left, to be taken for this one's. */
    private static void awaitNoPublisherThread() throws Exception {
        assertThat(Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("bulkfetch-publisher")),
                Duration.ofSeconds(20))).as("no publisher thread left").isTrue();
    }
}
