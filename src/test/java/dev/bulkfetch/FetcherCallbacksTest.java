package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.InFlightCounter;
import dev.bulkfetch.testing.TestServer;
import dev.bulkfetch.testing.TestSubscriber;
import dev.bulkfetch.testing.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The library as a program's own code meets it: callbacks on its futures, a publisher's
 * subscriber that comes late or leaves, a consumer that is interrupted or outlived by close().
 */
class FetcherCallbacksTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    /**
     * Futures completed on the fetcher's driver thread ran their callbacks there: one that
     * fetched and waited stopped every result, its own included, for good.
     */
    @Test
    void aCallbackMayFetchAndWaitOrCloseTheFetcher() throws Exception {
        Fetcher fetcher = Fetcher.builder().concurrency(4).build();
        try {
            CompletableFuture<Integer> nested = fetcher.fetch(server.request(1, "/ok/"))
                    .thenApply(first -> fetcher.fetch(server.request(2, "/ok/")).join().status());
            assertThat(nested.get(20, TimeUnit.SECONDS)).isEqualTo(200);

            CompletableFuture<Void> closing = fetcher.fetch(server.request(3, "/ok/"))
                    .thenAccept(result -> fetcher.close());
            closing.get(20, TimeUnit.SECONDS);
        } finally {
            fetcher.close();
        }
    }

    /**
     * A program that ends after close() must not lose its last results: close() waits (within
     * its grace) for the callbacks of what it handed out, here one that takes its time.
     */
    @Test
    void closeReturnsOnlyOnceTheCallbacksOfItsResultsHaveRun() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean saved =
                new java.util.concurrent.atomic.AtomicBoolean();
        Fetcher fetcher = Fetcher.builder().build();
        CompletableFuture<Void> saving = fetcher.fetch(server.request(1, "/ok/"))
                .thenAccept(result -> {
                    try {
                        Thread.sleep(300); // a slow save, not a wait for anything
                    } catch (InterruptedException e) {
                        return;
                    }
                    saved.set(true);
                });
        fetcher.close();
        assertThat(saved.get()).isTrue();
        assertThat(saving).isDone();
    }

    /**
     * close() interrupted while it gave requests in flight their grace returned at once, their
     * futures not done (they ended later, as cancelled), against its promise.
     */
    @Test
    void anInterruptedCloseStillReturnsWithEveryFutureDoneAndKeepsTheInterrupt()
            throws Exception {
        server.counter().reset();
        Fetcher fetcher = Fetcher.builder().concurrency(4).closeGrace(Duration.ofSeconds(20))
                .build();
        List<CompletableFuture<FetchResult>> futures = IntStream.rangeClosed(1, 3)
                .mapToObj(i -> fetcher.fetch(server.request(i, "/until-released/"))).toList();
        CompletableFuture<List<Boolean>> doneAtReturn = new CompletableFuture<>();
        CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
        try {
            assertThat(Await.until(() -> server.counter().inFlight() == 3,
                    Duration.ofSeconds(20))).as("three on the wire").isTrue();
            Thread closer = Thread.ofPlatform().daemon().start(() -> {
                fetcher.close();
                doneAtReturn.complete(futures.stream().map(CompletableFuture::isDone).toList());
                interruptedAfter.complete(Thread.currentThread().isInterrupted());
            });
            assertThat(Await.until(() -> Threads.waitingIn(closer, "LiveRun.closeOnce"),
                    Duration.ofSeconds(20))).as("close() waiting out the grace").isTrue();

            closer.interrupt();
            server.counter().release();

            assertThat(doneAtReturn.get(30, TimeUnit.SECONDS)).containsOnly(true);
            assertThat(interruptedAfter.join()).as("the interrupt kept").isTrue();
            // Still given their grace: answered, not cut off by the interrupt.
            assertThat(futures).allMatch(f -> f.join().ok());
        } finally {
            server.counter().release();
            fetcher.close();
            server.counter().reset();
        }
    }

    /** Results fetched before anyone subscribed were thrown away: 0 of 20 arrived. */
    @Test
    void aPublisherFetchesNothingBeforeItsFirstSubscriberAndThenEverything() throws Exception {
        CountDownLatch pulled = new CountDownLatch(1);
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).build()) {
            Stream<FetchRequest> requests = IntStream.rangeClosed(1, 20)
                    .mapToObj(i -> server.request(i, "/ok/")).peek(r -> pulled.countDown());
            Flow.Publisher<FetchResult> publisher = fetcher.publisher(requests);

            assertThat(pulled.await(500, TimeUnit.MILLISECONDS))
                    .as("a request taken before any subscriber").isFalse();
            TestSubscriber subscriber = TestSubscriber.all();
            publisher.subscribe(subscriber);
            assertThat(subscriber.awaitEnd(30)).isTrue();
            assertThat(subscriber.received()).hasSize(20).allMatch(FetchResult::ok);
        }
    }

    /** A cancelled subscription went on pulling and fetching the whole source. */
    @Test
    void cancellingThePublishersOnlySubscriptionStopsTheFetching() throws Exception {
        AtomicInteger pulled = new AtomicInteger();
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).build()) {
            Stream<FetchRequest> requests = IntStream.rangeClosed(1, 5_000)
                    .mapToObj(i -> server.request(i, "/ok/"))
                    .peek(r -> pulled.incrementAndGet());
            TestSubscriber subscriber = TestSubscriber.cancellingAfter(3);
            fetcher.publisher(requests).subscribe(subscriber);
            assertThat(subscriber.awaitCancelled(30)).isTrue();
            assertThat(Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("bulkfetch-publisher")),
                    Duration.ofSeconds(20))).as("the publisher's thread ended").isTrue();
            // The stream's window (twice the concurrency) and the subscriber's buffer at most.
            assertThat(pulled.get()).isLessThan(3 + 8 + 256 + 1);
        }
    }

    /**
     * From an exploratory test: once its only subscriber had cancelled, the publisher told the
     * next one {@code onComplete}, with no result, as if the sequence had ended, though most of
     * the source was never read. The next one is told it was cut short.
     */
    @Test
    void aSubscriberAfterEveryEarlierOneCancelledIsToldTheSequenceWasCutShort()
            throws Exception {
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).build()) {
            Flow.Publisher<FetchResult> publisher = fetcher.publisher(IntStream
                    .rangeClosed(1, 5_000).mapToObj(i -> server.request(i, "/ok/")));
            TestSubscriber first = TestSubscriber.cancellingAfter(3);
            publisher.subscribe(first);
            assertThat(first.awaitCancelled(30)).isTrue();
            assertThat(Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("bulkfetch-publisher")),
                    Duration.ofSeconds(20))).as("the publisher's thread ended").isTrue();

            TestSubscriber later = TestSubscriber.all();
            publisher.subscribe(later);

            assertThat(later.awaitEnd(30)).isTrue();
            assertThat(later.received()).isEmpty();
            assertThat(later.error()).isInstanceOf(CancellationException.class)
                    .hasMessageContaining("before the source was read to its end");
        }
    }

    /**
     * A subscriber that cancelled from outside onNext, its source waiting for more work (a
     * crawler's frontier), left the publisher's thread waiting for the next result, its feeder
     * waiting in the source and the source open, until the fetcher closed: twenty such jobs on
     * one fetcher held twenty platform threads.
     */
    @Test
    void cancellingFromAnotherThreadEndsAPublisherWhoseSourceWaitsForWork() throws Exception {
        awaitNoPublisherThread();
        BlockingQueue<FetchRequest> frontier = new LinkedBlockingQueue<>();
        IntStream.rangeClosed(1, 3).forEach(i -> frontier.add(server.request(i, "/ok/")));
        CompletableFuture<Throwable> sourceWaitEnded = new CompletableFuture<>();
        CountDownLatch sourceClosed = new CountDownLatch(1);
        Stream<FetchRequest> source = Stream.generate(() -> {
            try {
                return frontier.take();
            } catch (InterruptedException e) {
                sourceWaitEnded.complete(e);
                throw new IllegalStateException(e);
            }
        }).onClose(sourceClosed::countDown);
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).build()) {
            TestSubscriber subscriber = TestSubscriber.stoppingAfter(10);
            fetcher.publisher(source).subscribe(subscriber);
            assertThat(Await.until(() -> subscriber.received().size() == 3
                    && Threads.anyWaitingIn("bulkfetch-publisher", "StreamResults.hasNext")
                    && Threads.anyVirtualAt("bulkfetch-stream", "LinkedBlockingQueue.take"),
                    Duration.ofSeconds(20))).as("three taken, the source waiting").isTrue();

            subscriber.cancel();

            assertThat(Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("bulkfetch-publisher"))
                    && fetcher.streamsFeeding() == 0, Duration.ofSeconds(20)))
                    .as("the publisher's thread and its feeder ended").isTrue();
            assertThat(sourceClosed.await(20, TimeUnit.SECONDS)).as("source closed").isTrue();
            assertThat(sourceWaitEnded).isCompletedWithValueMatching(
                    e -> e instanceof InterruptedException);
        }
    }

    /** The publisher's thread is waiting for its subscriber to ask for more: its buffer is full. */
    private static void awaitThePublisherWaitingForItsSubscriber() throws Exception {
        assertThat(Await.until(() -> Threads.anyWaitingIn("bulkfetch-publisher",
                "SubmissionPublisher$BufferedSubscription.awaitSpace"), Duration.ofSeconds(30)))
                .as("the publisher waiting for its subscriber").isTrue();
    }

    /** No publisher's thread of an earlier test is left, to be taken for this one's. */
    private static void awaitNoPublisherThread() throws Exception {
        assertThat(Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("bulkfetch-publisher")),
                Duration.ofSeconds(20))).as("no publisher thread left").isTrue();
    }

    /**
     * A subscriber that stopped requesting kept the publisher's thread waiting after close(),
     * for as long as the program ran, and was never told the fetcher had closed.
     */
    @Test
    void aStalledSubscriberIsToldWhenTheFetcherClosesAndThePublishersThreadEnds()
            throws Exception {
        awaitNoPublisherThread();
        Fetcher fetcher = Fetcher.builder().concurrency(4).closeGrace(Duration.ofMillis(200))
                .build();
        Stream<FetchRequest> requests = IntStream.rangeClosed(1, 2_000)
                .mapToObj(i -> server.request(i, "/ok/"));
        TestSubscriber subscriber = TestSubscriber.stoppingAfter(1);
        fetcher.publisher(requests).subscribe(subscriber);
        // Its buffer is full: the publisher's thread waits for it to ask for more.
        awaitThePublisherWaitingForItsSubscriber();

        fetcher.close();

        assertThat(subscriber.awaitEnd(20)).as("the subscriber told").isTrue();
        assertThat(subscriber.error())
                .isInstanceOf(java.util.concurrent.CancellationException.class)
                .hasMessageContaining("the fetcher closed");
        assertThat(subscriber.received()).hasSize(1);
        assertThat(Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("bulkfetch-publisher")),
                Duration.ofSeconds(20))).as("the publisher's thread ended").isTrue();
    }

    /**
     * After review: a subscriber only slower than the fetching, its buffer full when the
     * fetcher closed, was cut off at once with the results fetched for it (263 of 519).
     */
    @Test
    void aSlowSubscriberGetsEveryResultAfterTheFetcherCloses() throws Exception {
        awaitNoPublisherThread();
        Fetcher fetcher = Fetcher.builder().concurrency(4).closeGrace(Duration.ofSeconds(2))
                .build();
        Stream<FetchRequest> requests = IntStream.rangeClosed(1, 2_000)
                .mapToObj(i -> server.request(i, "/ok/"));
        TestSubscriber subscriber = TestSubscriber.slow(Duration.ofMillis(5));
        fetcher.publisher(requests).subscribe(subscriber);
        awaitThePublisherWaitingForItsSubscriber();

        fetcher.close();
        int atClose = subscriber.received().size();

        // Ended as a stream does, not cut off: what was fetched and not yet taken came after,
        // then word that the close left requests unread (not the stalled subscriber's).
        assertThat(subscriber.awaitEnd(60)).isTrue();
        assertThat(subscriber.error())
                .isInstanceOf(java.util.concurrent.CancellationException.class)
                .hasMessageContaining("closed before every request was read");
        assertThat(subscriber.received().size()).isGreaterThan(atClose);
    }

    /**
     * A stalled subscriber whose results were buffered, the buffer not full, heard nothing
     * after close(): the feed ran out of results and closed the publisher normally, whose
     * onComplete waits behind the buffered results, so the close grace was never applied.
     */
    @Test
    void aStalledSubscriberWithResultsBufferedIsToldWhenTheFetcherCloses() throws Exception {
        awaitNoPublisherThread();
        server.counter().reset();
        Fetcher fetcher = Fetcher.builder().concurrency(4).closeGrace(Duration.ofMillis(200))
                .build();
        try {
            // Ten answered at once, then requests the server holds: never near the buffer's 256.
            Stream<FetchRequest> requests = Stream.iterate(1L, i -> i + 1)
                    .map(i -> server.request(i, i <= 10 ? "/ok/" : "/until-released/"));
            TestSubscriber subscriber = TestSubscriber.stoppingAfter(2);
            fetcher.publisher(requests).subscribe(subscriber);
            // Four held is request 14 sent: with the stream's window of 8, the feed has taken
            // 6 results at least, 2 delivered and the rest buffered.
            assertThat(Await.until(() -> server.counter().inFlight() == 4,
                    Duration.ofSeconds(20))).as("the server holding four").isTrue();

            fetcher.close();

            assertThat(subscriber.awaitEnd(10)).as("the subscriber told").isTrue();
            assertThat(subscriber.error())
                    .isInstanceOf(java.util.concurrent.CancellationException.class)
                    .hasMessageContaining("the fetcher closed");
            assertThat(subscriber.received()).hasSize(2);
        } finally {
            fetcher.close();
            server.counter().release();
        }
    }

    /**
     * The close grace is for a feed still running when the fetcher closes: results that had
     * all been handed over before are the subscriber's, to take when it will, then complete.
     */
    @Test
    void resultsHandedOverBeforeTheCloseAreAllDeliveredAfterIt() throws Exception {
        awaitNoPublisherThread();
        Fetcher fetcher = Fetcher.builder().concurrency(4).closeGrace(Duration.ZERO).build();
        TestSubscriber subscriber = TestSubscriber.stoppingAfter(2);
        fetcher.publisher(IntStream.rangeClosed(1, 10).mapToObj(i -> server.request(i, "/ok/")))
                .subscribe(subscriber);
        // Its thread gone, the feed has handed every result over and closed the publisher.
        awaitNoPublisherThread();

        fetcher.close();
        subscriber.request(Long.MAX_VALUE);

        assertThat(subscriber.awaitEnd(20)).isTrue();
        assertThat(subscriber.error()).isNull();
        assertThat(subscriber.received()).hasSize(10).allMatch(FetchResult::ok);
    }

    /** After review: a subscriber that came after close() waited for good, told nothing. */
    @Test
    void aSubscriberAfterTheFetcherClosedIsToldSo() throws Exception {
        Fetcher fetcher = Fetcher.builder().build();
        Flow.Publisher<FetchResult> publisher = fetcher.publisher(Stream.of(
                server.request(1, "/ok/")));
        fetcher.close();
        TestSubscriber subscriber = TestSubscriber.all();

        publisher.subscribe(subscriber);

        assertThat(subscriber.awaitEnd(20)).isTrue();
        assertThat(subscriber.error()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    /** An ordered stream's wait went on through an interrupt, against its Javadoc. */
    @Test
    void aConsumerOfAnOrderedStreamWaitingForAResultCanBeInterrupted() throws Exception {
        holdFor("/interruptible/", 10_000);
        try (Fetcher fetcher = Fetcher.builder().concurrency(2).ordered(true)
                .closeGrace(Duration.ZERO).build()) {
            Iterator<FetchResult> results = fetcher.stream(
                    Stream.of(server.request(1, "/interruptible/"))).iterator();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread consumer = Thread.ofPlatform().start(() -> {
                try {
                    results.next();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            assertThat(Await.until(() -> Threads.waitingIn(consumer, "StreamResults.hasNext",
                    "CompletableFuture.get"), Duration.ofSeconds(20)))
                    .as("the consumer waiting for its result").isTrue();
            consumer.interrupt();
            consumer.join(5_000);

            assertThat(consumer.isAlive()).isFalse();
            assertThat(thrown.get()).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(InterruptedException.class);
        }
    }

    /**
     * A stream read while the fetcher closes threw IllegalStateException from hasNext(), and
     * what it had in flight never reached the reader. Then it ended normally, as if the
     * source had run out: it now says it was cut short, once those results are read.
     */
    @Test
    void aStreamReadWhileTheFetcherClosesGivesWhatItHadSubmittedThenSaysItWasCutShort()
            throws Exception {
        Fetcher fetcher = Fetcher.builder().concurrency(2).closeGrace(Duration.ZERO).build();
        Iterator<FetchResult> results = fetcher.stream(IntStream.rangeClosed(1, 100)
                .mapToObj(i -> server.request(i, "/long-held/"))).iterator();
        List<FetchResult> got = new ArrayList<>();
        got.add(results.next());
        fetcher.close();

        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> results.forEachRemaining(got::add))
                .isInstanceOf(java.util.concurrent.CancellationException.class)
                .hasMessageContaining("closed before every request was read");

        // The window was twice the concurrency: what it held is answered or cancelled.
        assertThat(got).hasSizeBetween(2, 5);
        assertThat(got.subList(1, got.size())).allMatch(r -> r.ok()
                || r.error().kind() == ErrorKind.CANCELLED);
    }

    /**
     * Reactive Streams rule 1.9, as SubmissionPublisher: a null subscriber is refused. It was
     * taken without a word, and started the fetching for nobody.
     */
    @Test
    void aNullSubscriberIsRefusedAndStartsNothing() throws Exception {
        try (Fetcher fetcher = Fetcher.builder().build()) {
            Flow.Publisher<FetchResult> publisher = fetcher.publisher(IntStream.rangeClosed(1, 3)
                    .mapToObj(i -> server.request(i, "/ok/")));

            assertThatThrownBy(() -> publisher.subscribe(null))
                    .isInstanceOf(NullPointerException.class).hasMessage("subscriber");

            TestSubscriber subscriber = TestSubscriber.oneAtATime();
            publisher.subscribe(subscriber);
            assertThat(subscriber.awaitEnd(30)).isTrue();
            assertThat(subscriber.received()).as("every result, for the first subscriber")
                    .hasSize(3);
        }
    }

    private static void holdFor(String prefix, int millis) {
        server.wireMock().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(
                        prefix + "[0-9]+"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                        .withStatus(200).withTransformers(InFlightCounter.NAME)
                        .withTransformerParameters(Map.of("holdMs", millis))));
    }
}
