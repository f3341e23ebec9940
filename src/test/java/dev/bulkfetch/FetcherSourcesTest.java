package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulkfetch.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a scraping job feeds a fetcher and how it shares one: a source that waits for work or
 * fails, an ordered stream beside other callers, and a close while callbacks wait on results.
 * Each wait that would hang without its fix runs under a limit, so it fails instead.
 */
class FetcherSourcesTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    /** Runs {@code work} on a thread of its own, waiting at most 30 s for it. */
    private static <T> T within30s(Supplier<T> work) throws Exception {
        CompletableFuture<T> done = CompletableFuture.supplyAsync(work,
                runnable -> Thread.ofPlatform().daemon().start(runnable));
        try {
            return done.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("still waiting after 30 s", e);
        }
    }

    /**
     * A crawler's frontier: the source is a queue that the results themselves fill. The
     * consumer's thread read the source, so it waited there for a request that only a result
     * it could not reach would add: the crawl stood still after its first page.
     */
    @ParameterizedTest(name = "ordered {0}")
    @ValueSource(booleans = {false, true})
    void aSourceThatWaitsForWorkTheResultsBringIsNeverStuck(boolean ordered) throws Exception {
        BlockingQueue<Optional<FetchRequest>> frontier = new LinkedBlockingQueue<>();
        frontier.add(Optional.of(server.request(1, "/ok/")));
        Iterator<FetchRequest> source = new Iterator<>() {
            private Optional<FetchRequest> next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = frontier.take();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return next.isPresent();
            }

            @Override
            public FetchRequest next() {
                FetchRequest request = next.orElseThrow();
                next = null;
                return request;
            }
        };
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).ordered(ordered).build()) {
            List<FetchResult> crawled = within30s(() -> {
                List<FetchResult> got = new ArrayList<>();
                fetcher.stream(source).forEach(result -> {
                    got.add(result);
                    frontier.add(got.size() < 10
                            ? Optional.of(server.request(got.size() + 1, "/ok/"))
                            : Optional.empty());
                });
                return got;
            });

            assertThat(crawled).hasSize(10).allMatch(FetchResult::ok);
        }
    }

    /**
     * A source that fails partway: the results of what it gave come first, then its exception.
     * 15 of 49 fetched items were never delivered.
     */
    @ParameterizedTest(name = "ordered {0}")
    @ValueSource(booleans = {false, true})
    void aSourceThatFailsEndsTheStreamAfterTheResultsOfWhatItGave(boolean ordered)
            throws Exception {
        IllegalStateException broken = new IllegalStateException("the source broke");
        Stream<FetchRequest> source = IntStream.rangeClosed(1, 30).mapToObj(i -> {
            if (i == 21) {
                throw broken;
            }
            return server.request(i, "/ok/");
        });
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).ordered(ordered).build()) {
            List<FetchResult> got = new ArrayList<>();
            Throwable thrown = within30s(() -> {
                try {
                    fetcher.stream(source).forEach(got::add);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });

            assertThat(thrown).isSameAs(broken);
            assertThat(got).hasSize(20).allMatch(FetchResult::ok);
            assertThat(got).extracting(FetchResult::seq).containsExactlyInAnyOrderElementsOf(
                    IntStream.rangeClosed(1, 20).mapToObj(i -> (long) i).toList());
        }
    }

    /**
     * Ordering is a stream's: the fetcher's own run kept a reorder window of the concurrency,
     * so one slow request held every other caller's results (and sends) back behind it.
     */
    @Test
    void anOrderedFetcherHoldsBackNoOtherCallerBehindASlowRequest() throws Exception {
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).ordered(true).build()) {
            CompletableFuture<FetchResult> slow = fetcher.fetch(server.request(1,
                    "/until-released/"));
            List<CompletableFuture<FetchResult>> quick = IntStream.rangeClosed(2, 11)
                    .mapToObj(i -> fetcher.fetch(server.request(i, "/ok/"))).toList();

            CompletableFuture.allOf(quick.toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);

            // The slow one is held by the server until the test lets it go.
            assertThat(slow).isNotDone();
            assertThat(quick).allMatch(f -> f.join().ok());
            assertThat(dev.bulkfetch.testing.Await.until(() -> server.counter().inFlight() == 1,
                    Duration.ofSeconds(20))).as("the slow one held").isTrue();
            server.counter().release();
            assertThat(slow.get(30, TimeUnit.SECONDS).ok()).isTrue();
        }
    }

    /**
     * close() completed the results it cancelled on its own thread: a callback waiting for
     * another result held close() for good, since that result was to be completed after it.
     */
    @Test
    void closeHandsCancelledResultsToCallbacksOnTheirOwnThreads() throws Exception {
        Fetcher fetcher = Fetcher.builder().concurrency(4).closeGrace(Duration.ofMillis(200))
                .build();
        CompletableFuture<FetchResult> list = fetcher.fetch(server.request(1, "/hang/"));
        CompletableFuture<FetchResult> detail = fetcher.fetch(server.request(2, "/hang/"));
        CompletableFuture<String> callback = list.thenApply(r -> {
            detail.join();
            return Thread.currentThread().getName();
        });

        String closer = within30s(() -> {
            fetcher.close();
            return Thread.currentThread().getName();
        });

        assertThat(callback.get(30, TimeUnit.SECONDS)).isNotEqualTo(closer);
        assertThat(list.join().error().kind()).isEqualTo(ErrorKind.CANCELLED);
        assertThat(detail.join().error().kind()).isEqualTo(ErrorKind.CANCELLED);
    }

    /** A stream or publisher of a closed fetcher was silently empty: its items vanished. */
    @Test
    void aClosedFetcherRefusesAStreamOrPublisherAsItRefusesAFetch() {
        Fetcher fetcher = Fetcher.builder().build();
        fetcher.close();

        assertThatThrownBy(() -> fetcher.stream(Stream.of(server.request(1, "/ok/"))))
                .isInstanceOf(IllegalStateException.class).hasMessage("fetcher is closed");
        assertThatThrownBy(() -> fetcher.publisher(Stream.of(server.request(1, "/ok/"))))
                .isInstanceOf(IllegalStateException.class).hasMessage("fetcher is closed");
    }

    /**
     * A stream closed early stops its feeder, which would otherwise wait for the window to
     * open until the fetcher closed.
     */
    @Test
    void closingAStreamEarlyStopsReadingItsSource() throws Exception {
        java.util.concurrent.atomic.AtomicInteger pulled =
                new java.util.concurrent.atomic.AtomicInteger();
        try (Fetcher fetcher = Fetcher.builder().concurrency(2).build()) {
            try (Stream<FetchResult> results = fetcher.stream(IntStream.rangeClosed(1, 1_000)
                    .mapToObj(i -> server.request(i, "/ok/"))
                    .peek(r -> pulled.incrementAndGet()))) {
                assertThat(results.limit(3).toList()).hasSize(3);
                assertThat(fetcher.streamsFeeding()).isEqualTo(1);
            }

            assertThat(dev.bulkfetch.testing.Await.until(() -> fetcher.streamsFeeding() == 0,
                    Duration.ofSeconds(20))).as("the feeder stopped").isTrue();
            // Three taken, a window of four, and one the feeder may have begun to take.
            assertThat(pulled.get()).isLessThanOrEqualTo(3 + 4 + 1);
        }
    }

    /**
     * An ordered stream's consumer, interrupted while it waits, may read on: the result it
     * waited for still comes, and in its place. The wait took it off the queue, so it was
     * lost, and the stream then waited for good for a result that could not come.
     */
    @Test
    void anOrderedStreamInterruptedWhileWaitingLosesNothingWhenReadOn() throws Exception {
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).ordered(true).build()) {
            Iterator<FetchResult> results = fetcher.stream(Stream.concat(
                    Stream.of(server.request(1, "/long-held/")),
                    IntStream.rangeClosed(2, 5).mapToObj(i -> server.request(i, "/ok/"))))
                    .iterator();
            CompletableFuture<List<Long>> read = new CompletableFuture<>();
            Thread consumer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    results.next();
                    read.completeExceptionally(new AssertionError("not interrupted"));
                    return;
                } catch (java.util.concurrent.CompletionException expected) {
                    Thread.interrupted();
                }
                List<Long> rest = new ArrayList<>();
                results.forEachRemaining(r -> rest.add(r.seq()));
                read.complete(rest);
            });
            // Interrupted while it waits for the first, held by the server for 1.5 s.
            assertThat(dev.bulkfetch.testing.Await.until(() -> server.counter().inFlight() > 0
                    && dev.bulkfetch.testing.Threads.waitingIn(consumer,
                    "StreamResults.hasNext", "CompletableFuture.get"), Duration.ofSeconds(20)))
                    .isTrue();
            consumer.interrupt();
            List<Long> seqs = read.get(30, TimeUnit.SECONDS);

            assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L);
        }
    }
}
