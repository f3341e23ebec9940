package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.TestServer;
import dev.bulkfetch.testing.TestSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A stream or publisher that the fetcher's close() ends before its source was read to the end
 * ended as one whose requests had all been fetched: the stream normally, the publisher with
 * {@code onComplete}, on every engine, the requests never read given no result and no word.
 * The consumer is now told, after the results of what was submitted; one whose source had
 * been read to its end before the close still ends normally.
 */
class FetcherCutShortTest {

    private static final String CUT_SHORT =
            "the fetcher was closed before every request was read from the source";

    @RegisterExtension
    static final TestServer server = new TestServer();

    @ParameterizedTest
    @EnumSource
    void aStreamCutShortByCloseThrowsAfterTheResultsOfWhatItSubmitted(EngineKind engine)
            throws Exception {
        server.counter().reset();
        int concurrency = concurrencyFor(engine);
        Fetcher fetcher = patient(engine, concurrency);
        try {
            Iterator<FetchResult> results = fetcher.stream(thirtyHeld()).iterator();
            List<FetchResult> got = new ArrayList<>();
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    results.forEachRemaining(got::add);
                    ended.complete(null);
                } catch (Throwable t) {
                    ended.complete(t);
                }
            });

            closeWhileTheServerHoldsSome(fetcher, concurrency);

            assertThat(ended.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(CancellationException.class).hasMessage(CUT_SHORT);
            // Those on the wire at the close, released, came before it; the rest never came.
            assertThat(got).hasSizeBetween(concurrency, 2 * concurrency)
                    .allMatch(FetchResult::ok);
        } finally {
            server.counter().release();
            fetcher.close();
        }
    }

    @ParameterizedTest
    @EnumSource
    void aPublisherCutShortByCloseSignalsCancellationAfterTheResultsOfWhatItSubmitted(
            EngineKind engine) throws Exception {
        server.counter().reset();
        int concurrency = concurrencyFor(engine);
        Fetcher fetcher = patient(engine, concurrency);
        try {
            TestSubscriber subscriber = TestSubscriber.all();
            fetcher.publisher(thirtyHeld()).subscribe(subscriber);

            closeWhileTheServerHoldsSome(fetcher, concurrency);

            assertThat(subscriber.awaitEnd(30)).as("the subscriber told").isTrue();
            assertThat(subscriber.error())
                    .isInstanceOf(CancellationException.class).hasMessage(CUT_SHORT);
            assertThat(subscriber.received()).hasSizeBetween(concurrency, 2 * concurrency)
                    .allMatch(FetchResult::ok);
        } finally {
            server.counter().release();
            fetcher.close();
        }
    }

    /** The regression guard: the close took nothing from a stream whose source had ended. */
    @ParameterizedTest
    @EnumSource
    void aStreamWhoseSourceWasReadToItsEndBeforeTheCloseEndsNormally(EngineKind engine)
            throws Exception {
        int concurrency = concurrencyFor(engine);
        // One fewer than the stream's window: its feeder finds the end before any is read.
        int count = 2 * concurrency - 1;
        Fetcher fetcher = patient(engine, concurrency);
        try {
            Iterator<FetchResult> results = fetcher.stream(IntStream.rangeClosed(1, count)
                    .mapToObj(i -> server.request(i, "/ok/"))).iterator();
            assertThat(results.hasNext()).isTrue();
            // Its feeder gone, it has read the source to its end.
            assertThat(Await.until(() -> fetcher.streamsFeeding() == 0, Duration.ofSeconds(20)))
                    .as("the source read to its end").isTrue();

            fetcher.close();
            List<FetchResult> got = new ArrayList<>();
            results.forEachRemaining(got::add);

            assertThat(got).hasSize(count).allMatch(FetchResult::ok);
        } finally {
            fetcher.close();
        }
    }

    /** As the stream above, a publisher whose results were all handed over completes. */
    @ParameterizedTest
    @EnumSource
    void aPublisherWhoseSourceRanOutBeforeTheCloseCompletes(EngineKind engine)
            throws Exception {
        awaitNoPublisherThread();
        Fetcher fetcher = patient(engine, concurrencyFor(engine));
        try {
            TestSubscriber subscriber = TestSubscriber.stoppingAfter(1);
            fetcher.publisher(IntStream.rangeClosed(1, 3).mapToObj(i -> server.request(i,
                    "/ok/"))).subscribe(subscriber);
            // Its thread gone, the feed has handed every result over and closed the publisher.
            awaitNoPublisherThread();

            fetcher.close();
            subscriber.request(Long.MAX_VALUE);

            assertThat(subscriber.awaitEnd(20)).isTrue();
            assertThat(subscriber.error()).isNull();
            assertThat(subscriber.received()).hasSize(3).allMatch(FetchResult::ok);
        } finally {
            fetcher.close();
        }
    }

    /**
     * Closes the fetcher, from a thread of its own, once the server holds the requests on the
     * wire; lets them go once the close has stopped the reading of the source, so they end,
     * ok, within the grace.
     */
    private static void closeWhileTheServerHoldsSome(Fetcher fetcher, int concurrency)
            throws Exception {
        assertThat(Await.until(() -> server.counter().inFlight() == concurrency,
                Duration.ofSeconds(20))).as("the server holding the first").isTrue();
        Thread.ofPlatform().daemon().start(fetcher::close);
        assertThat(Await.until(() -> fetcher.streamsFeeding() == 0, Duration.ofSeconds(20)))
                .as("the close stopped the reading").isTrue();
        server.counter().release();
    }

    /** Thirty requests the server holds until the test releases them. */
    private static Stream<FetchRequest> thirtyHeld() {
        return IntStream.rangeClosed(1, 30).mapToObj(i -> server.request(i, "/until-released/"));
    }

    private static int concurrencyFor(EngineKind engine) {
        return engine == EngineKind.SERIAL ? 1 : 4;
    }

    /** A grace long enough for the held requests, released, to end ok rather than cancelled. */
    private static Fetcher patient(EngineKind engine, int concurrency) {
        return Fetcher.builder().engine(engine).concurrency(concurrency)
                .closeGrace(Duration.ofSeconds(20)).build();
    }

    /** No publisher's thread of an earlier test is left, to be taken for this one's. */
    private static void awaitNoPublisherThread() throws Exception {
        assertThat(Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("bulkfetch-publisher")),
                Duration.ofSeconds(20))).as("no publisher thread left").isTrue();
    }
}
