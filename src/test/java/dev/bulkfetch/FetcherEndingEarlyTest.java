package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.TestServer;
import dev.bulkfetch.testing.TestSubscriber;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A program that wants fewer results than it asked for: a stream it closes after its first
 * result, a publisher whose subscriber cancels. What it started and no longer wants ends, on
 * every engine.
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
}
