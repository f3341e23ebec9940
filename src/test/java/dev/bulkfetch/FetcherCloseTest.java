package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.Threads;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What close() says of a request it ends after the grace, on every engine: one that was sent
 * counts its sends, as every other failure's result does. It read attempts 0, latency 0 and no
 * status, which a backfill takes for "never reached the server", and so sent again a POST the
 * server had acted on.
 */
class FetcherCloseTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @ParameterizedTest
    @EnumSource
    void aGetOnTheWireEndedByCloseCountsItsSend(EngineKind engine) throws Exception {
        try (RawServer silent = new RawServer(RawServer.Mode.NEVER_ANSWER)) {
            FetchResult result = endedOnTheWire(engine, silent,
                    FetchRequest.get(1, URI.create(silent.url("/wait"))));

            assertSentOnceAndCancelled(result, engine);
            assertThat(result.status()).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource
    void aPostTheServerIsWorkingOnEndedByCloseCountsItsSend(EngineKind engine)
            throws Exception {
        try (RawServer silent = new RawServer(RawServer.Mode.NEVER_ANSWER)) {
            // No body: the silent server reads the head alone, and a body it left unread
            // would reset the connection as it closed.
            FetchResult result = endedOnTheWire(engine, silent, new FetchRequest(1, "order-1",
                    URI.create(silent.url("/orders")), "POST", Map.of(), null));

            assertSentOnceAndCancelled(result, engine);
            assertThat(result.id()).isEqualTo("order-1");
        }
    }

    /**
     * Backing off for its Retry-After when the fetcher closed: it was sent once and answered
     * 503, and keeps that answer, as an item whose retries are spent keeps its last one.
     */
    @ParameterizedTest
    @EnumSource
    void aRequestInItsBackoffEndedByCloseKeepsItsSendAndItsAnswer(EngineKind engine)
            throws Exception {
        try (RawServer busy = RawServer.answering("HTTP/1.1 503 Service Unavailable\r\n"
                + "Retry-After: 60\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")) {
            Fetcher fetcher = closingSoon(engine);
            CompletableFuture<FetchResult> backingOff = fetcher.fetch(FetchRequest.get(1,
                    URI.create(busy.url("/busy"))));
            // Answered, and its retry waits on the run's timer: the only thing it schedules
            // here (no rate), so its thread exists from then on.
            assertThat(Await.until(() -> busy.requests() == 1
                    && Threads.anyWaitingIn("bulkfetch-timer", "DelayedWorkQueue.take"), WAIT))
                    .as("backing off").isTrue();

            fetcher.close();

            FetchResult result = backingOff.join();
            assertSentOnceAndCancelled(result, engine);
            assertThat(result.status()).isEqualTo(503);
            assertThat(busy.requests()).as("the retry never went").isEqualTo(1);
        }
    }

    /** {@code request}'s result when the fetcher closes as {@code silent} holds it. */
    private static FetchResult endedOnTheWire(EngineKind engine, RawServer silent,
            FetchRequest request) throws Exception {
        Fetcher fetcher = closingSoon(engine);
        CompletableFuture<FetchResult> onTheWire = fetcher.fetch(request);
        assertThat(Await.until(() -> silent.requests() == 1, WAIT)).as("on the wire").isTrue();

        fetcher.close();

        return onTheWire.join();
    }

    /** Timeouts of a minute: a request that ends in this test's time was ended by close. */
    private static Fetcher closingSoon(EngineKind engine) {
        return Fetcher.builder().engine(engine).concurrency(1)
                .requestTimeout(Duration.ofSeconds(60)).idleTimeout(Duration.ofSeconds(60))
                .closeGrace(Duration.ofMillis(200)).build();
    }

    private static void assertSentOnceAndCancelled(FetchResult result, EngineKind engine) {
        assertThat(result.error().kind()).isEqualTo(ErrorKind.CANCELLED);
        assertThat(result.error().message()).isEqualTo("the fetcher was closed first");
        assertThat(result.attempts()).as("sends").isEqualTo(1);
        assertThat(result.latencyNanos()).as("latency").isPositive();
        assertThat(result.engine()).isEqualTo(engine.cliName());
    }
}
