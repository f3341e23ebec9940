package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulkfetch.testing.TestServer;
import dev.bulkfetch.testing.TestSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The library as programs call it. */
class FetcherTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void twoThreadsCallingFetchShareOneCap() throws Exception {
        server.counter().reset();
        try (Fetcher fetcher = Fetcher.builder().concurrency(5).build()) {
            List<CompletableFuture<FetchResult>> all = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int base = t * 100;
                callers.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int n = 1; n <= 15; n++) {
                        CompletableFuture<FetchResult> f = fetcher.fetch(
                                server.request(base + n, "/held/"));
                        synchronized (all) {
                            all.add(f);
                        }
                    }
                }));
            }
            go.countDown();
            for (Thread caller : callers) {
                caller.join();
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            assertThat(all).hasSize(30).allMatch(f -> f.join().ok());
        }
        assertThat(server.counter().peak()).isEqualTo(5);
    }

    @Test
    void aLowerCaseMethodIsSentByABlockingEngineToo() {
        try (Fetcher fetcher = Fetcher.builder().engine(EngineKind.THREADS).build()) {
            FetchRequest lower = new FetchRequest(1, null, server.request(1, "/ok/").url(), "get",
                    null, null);
            FetchResult result = fetcher.fetch(lower).join();
            assertThat(result.method()).isEqualTo("GET");
            assertThat(result.status()).isEqualTo(200);
        }
    }

    /** A result carries its request's id as given: one given as a number is a number. */
    @Test
    void aResultsIdIsItsRequestsIdANumberAsANumber() {
        FetchRequest numbered = new FetchRequest(1, "7", server.request(1, "/ok/").url(), "GET",
                null, null, true);
        try (Fetcher fetcher = Fetcher.builder().build()) {
            FetchResult result = fetcher.fetch(numbered).join();
            assertThat(result.id()).isEqualTo("7");
            assertThat(result.idIsNumber()).isTrue();
            assertThat(fetcher.fetch(server.request(2, "/ok/")).join().idIsNumber()).isFalse();
        }
    }

    @Test
    void fetchAllGathersEveryResultInInputOrderFailedOrNot() {
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).build()) {
            List<FetchRequest> requests = List.of(server.request(1, "/slow/"),
                    server.request(2, "/ok/"), server.request(3, "/status/404/"),
                    server.request(4, "/ok/"));
            List<FetchResult> results = fetcher.fetchAll(requests).join();
            assertThat(results).extracting(FetchResult::seq).containsExactly(1L, 2L, 3L, 4L);
            assertThat(results).extracting(FetchResult::status).containsExactly(200, 200, 404,
                    200);
            assertThat(results.get(2).error().kind()).isEqualTo(ErrorKind.HTTP);
        }
    }

    @Test
    void aSlowConsumerOfTheStreamHoldsTheFetchingBack() {
        server.counter().reset();
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).build()) {
            Stream<FetchRequest> requests = LongStreamOf(1_000)
                    .map(n -> server.request(n, "/held/"));
            List<FetchResult> firstFew = fetcher.stream(requests).limit(10).toList();
            assertThat(firstFew).hasSize(10).allMatch(FetchResult::ok);
        }
        // Ten consumed; the stream submits at most twice the concurrency beyond what was taken.
        assertThat(server.counter().served()).isBetween(10, 10 + 2 * 4);
    }

    /**
     * A future its caller cancelled (a deadline of its own, orTimeout) still had its request
     * sent when its turn came: cancelling withdraws a request not yet sent.
     */
    @Test
    void cancellingTheFutureOfARequestNotYetSentWithdrawsIt() {
        server.counter().reset();
        try (Fetcher fetcher = Fetcher.builder().concurrency(1).build()) {
            CompletableFuture<FetchResult> first = fetcher.fetch(server.request(1, "/long-held/"));
            List<CompletableFuture<FetchResult>> queued = IntStream.rangeClosed(2, 6)
                    .mapToObj(n -> fetcher.fetch(server.request(n, "/quick-held/"))).toList();

            queued.forEach(f -> assertThat(f.cancel(true)).isTrue());
            FetchResult last = fetcher.fetch(server.request(7, "/quick-held/")).join();

            assertThat(first.join().ok()).isTrue();
            assertThat(last.ok()).isTrue();
            assertThat(queued).allMatch(CompletableFuture::isCancelled);
        }
        // The first and the last: none of the five withdrawn.
        assertThat(server.counter().served()).isEqualTo(2);
    }

    /**
     * After review: a request already admitted but waiting for the rate (or the warm-up) was
     * sent all the same when cancelled, and one given up on by orTimeout was never withdrawn.
     */
    /**
     * After review: a request its engine cannot send (a PATCH on the JDK's client) reached the
     * engine, which refused it only after it had taken a place under the caps and a start of
     * the rate. It is an input error before either now, as the CLI makes it of its line.
     */
    @Test
    void aRequestTheEngineCannotSendTakesNoStartOfTheRate() throws Exception {
        try (Fetcher fetcher = Fetcher.builder().engine(EngineKind.THREADS).rate("1/min")
                .build()) {
            FetchResult patch = fetcher.fetch(new FetchRequest(1, null, java.net.URI.create(
                    server.url("/ok/1")), "PATCH", java.util.Map.of(), null)).join();
            // The one start of the minute is still there for the GET.
            FetchResult get = fetcher.fetch(server.request(2, "/ok/"))
                    .get(20, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(patch.error().kind()).isEqualTo(ErrorKind.INPUT);
            assertThat(patch.error().message()).contains("cannot send PATCH");
            assertThat(patch.attempts()).isZero();
            assertThat(get.ok()).isTrue();
        }
    }

    @Test
    void aRequestWaitingForTheRateOrGivenUpOnByOrTimeoutIsWithdrawnToo() {
        server.counter().reset();
        try (Fetcher fetcher = Fetcher.builder().concurrency(32).rate("4/s").build()) {
            List<CompletableFuture<FetchResult>> futures = IntStream.rangeClosed(1, 6)
                    .mapToObj(n -> fetcher.fetch(server.request(n, "/quick-held/"))).toList();
            futures.subList(1, 6).forEach(f -> assertThat(f.cancel(true)).isTrue());
            assertThat(futures.getFirst().join().ok()).isTrue();
            assertThat(fetcher.fetch(server.request(7, "/quick-held/")).join().ok()).isTrue();
        }
        assertThat(server.counter().served()).as("the first and the last").isEqualTo(2);

        server.counter().reset();
        try (Fetcher fetcher = Fetcher.builder().concurrency(1).build()) {
            CompletableFuture<FetchResult> slow = fetcher.fetch(server.request(1, "/long-held/"));
            CompletableFuture<FetchResult> givenUp = fetcher.fetch(server.request(2,
                    "/quick-held/")).orTimeout(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThatThrownBy(givenUp::join).hasCauseInstanceOf(
                    java.util.concurrent.TimeoutException.class);
            assertThat(slow.join().ok()).isTrue();
            assertThat(fetcher.fetch(server.request(3, "/quick-held/")).join().ok()).isTrue();
        }
        assertThat(server.counter().served()).as("the slow one and the last").isEqualTo(2);
    }

    /**
     * After review: cancelling fetchAll's future left its requests queued, and all were sent,
     * each after the other, holding the only slot (7.5 s before the next request went).
     */
    @Test
    void cancellingFetchAllWithdrawsItsRequestsNotYetSent() {
        server.counter().reset();
        try (Fetcher fetcher = Fetcher.builder().concurrency(1).build()) {
            CompletableFuture<FetchResult> first = fetcher.fetch(server.request(1, "/long-held/"));
            CompletableFuture<List<FetchResult>> all = fetcher.fetchAll(IntStream.rangeClosed(2, 6)
                    .mapToObj(n -> server.request(n, "/quick-held/")).toList());

            assertThat(all.cancel(true)).isTrue();
            FetchResult last = fetcher.fetch(server.request(7, "/quick-held/")).join();

            assertThat(first.join().ok()).isTrue();
            assertThat(last.ok()).isTrue();
        }
        assertThat(server.counter().served()).as("the first and the last").isEqualTo(2);
    }

    /** After review: a null among fetchAll's requests threw only after those before it went. */
    @Test
    void fetchAllWithANullAmongItsRequestsSendsNone() {
        server.counter().reset();
        try (Fetcher fetcher = Fetcher.builder().build()) {
            List<FetchRequest> withANull = java.util.Arrays.asList(server.request(1, "/ok/"),
                    null);
            assertThatThrownBy(() -> fetcher.fetchAll(withANull))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("requests");
        }
        assertThat(server.counter().served()).isZero();
    }

    /**
     * After review: close() called while another thread's close() was under way returned at
     * once, before the results were in: a program ending then lost them.
     */
    @Test
    void aSecondCloseReturnsOnlyOnceTheFirstHasClosed() throws Exception {
        server.counter().reset();
        Fetcher fetcher = Fetcher.builder().closeGrace(Duration.ofSeconds(30)).build();
        CompletableFuture<FetchResult> held = fetcher.fetch(server.request(1, "/until-released/"));
        assertThat(dev.bulkfetch.testing.Await.until(() -> server.counter().inFlight() == 1,
                Duration.ofSeconds(20))).isTrue();
        Thread first = Thread.ofPlatform().start(fetcher::close);
        assertThat(dev.bulkfetch.testing.Await.until(() -> closed(fetcher),
                Duration.ofSeconds(20))).as("the first close began").isTrue();

        Thread second = Thread.ofPlatform().start(fetcher::close);
        assertThat(dev.bulkfetch.testing.Await.until(() -> !second.isAlive()
                || second.getState() == Thread.State.WAITING, Duration.ofSeconds(20))).isTrue();
        boolean returnedEarly = !second.isAlive() && !held.isDone();
        server.counter().release();
        second.join();
        first.join();

        assertThat(returnedEarly).as("returned with the request still on the wire").isFalse();
        assertThat(held.join().ok()).isTrue();
    }

    /**
     * After review: whether close() was called from a callback, which must not wait for
     * itself, was one flag for every fetcher: closing fetcher b from a callback of fetcher a
     * did not wait for b's callbacks.
     */
    @Test
    void closingAFetcherFromAnothersCallbackWaitsForItsCallbacks() throws Exception {
        try (Fetcher a = Fetcher.builder().build()) {
            Fetcher b = Fetcher.builder().build();
            CountDownLatch started = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean ran =
                    new java.util.concurrent.atomic.AtomicBoolean();
            b.fetch(server.request(1, "/quick-held/")).thenRun(() -> {
                started.countDown();
                busyFor(Duration.ofMillis(300));  // a callback's work
                ran.set(true);
            });
            started.await();

            boolean ranBeforeCloseReturned = a.fetch(server.request(2, "/ok/"))
                    .thenApply(result -> {
                        b.close();
                        return ran.get();
                    }).join();

            assertThat(ranBeforeCloseReturned).isTrue();
        }
    }

    private static void busyFor(Duration time) {
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    private static boolean closed(Fetcher fetcher) {
        try {
            fetcher.fetchAll(List.of());
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /**
     * A cancelled request already on the wire kept its place under the concurrency cap until
     * the server answered (6 s in the probe, 12 s on serial): it now ends, and frees it.
     */
    @Test
    void cancellingARequestOnTheWireFreesItsPlaceAtOnce() throws Exception {
        for (EngineKind engine : EngineKind.values()) {
            try (dev.bulkfetch.testing.RawServer silent = new dev.bulkfetch.testing.RawServer(
                    dev.bulkfetch.testing.RawServer.Mode.NEVER_ANSWER);
                 Fetcher fetcher = Fetcher.builder().engine(engine).concurrency(1)
                         .requestTimeout(Duration.ofSeconds(60))
                         .idleTimeout(Duration.ofSeconds(60)).build()) {
                CompletableFuture<FetchResult> stuck = fetcher.fetch(FetchRequest.get(1,
                        java.net.URI.create(silent.url("/wait"))));
                assertThat(dev.bulkfetch.testing.Await.until(() -> silent.requests() == 1,
                        Duration.ofSeconds(20))).isTrue();

                stuck.cancel(true);

                assertTheNextRequestGoes(fetcher);
                assertThat(dev.bulkfetch.testing.Await.until(() -> silent.closedByClient() == 1,
                        Duration.ofSeconds(20))).as(engine.cliName()).isTrue();
            }
        }
    }

    /**
     * After review: on the threads and serial engines, a request cancelled while its body had
     * stalled kept its platform thread blocked in the read until the idle timeout, and the
     * next request, whose place the cancel gave, waited for that thread (9 s at -c 1). The
     * pool lends a thread for such an exchange until it ends.
     */
    @Test
    void cancellingARequestWhoseBodyStalledFreesItsPlaceOnTheBlockingEngines() throws Exception {
        for (EngineKind engine : List.of(EngineKind.THREADS, EngineKind.SERIAL)) {
            CountDownLatch reading = new CountDownLatch(1);
            BodyHandler<Void> signalling =
                    dev.bulkfetch.testing.NotingHandler.noting(reading);
            try (dev.bulkfetch.testing.RawServer held = new dev.bulkfetch.testing.RawServer(
                    dev.bulkfetch.testing.RawServer.Mode.HELD_BODY);
                 Fetcher fetcher = Fetcher.builder().engine(engine).concurrency(1)
                         .requestTimeout(Duration.ofSeconds(60))
                         .idleTimeout(Duration.ofSeconds(60)).bodyHandler(signalling)
                         .closeGrace(Duration.ofMillis(100)).build()) {
                CompletableFuture<FetchResult> stalled = fetcher.fetch(FetchRequest.get(1,
                        java.net.URI.create(held.url("/held"))));
                assertThat(reading.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

                stalled.cancel(true);

                assertTheNextRequestGoes(fetcher);
                held.releaseLateBytes();  // the lent thread's read ends, and so does the close
            }
        }
    }

    /**
     * After review: a cancelled request backing off for its Retry-After (a minute here) kept
     * its place under the cap until the backoff ended; it now goes back at once.
     */
    @Test
    void cancellingARequestInItsBackoffFreesItsPlaceAtOnce() throws Exception {
        try (dev.bulkfetch.testing.RawServer busy = dev.bulkfetch.testing.RawServer.answering(
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 60\r\nContent-Length: 0\r\n"
                        + "Connection: close\r\n\r\n");
             Fetcher fetcher = Fetcher.builder().concurrency(1).build()) {
            CompletableFuture<FetchResult> backingOff = fetcher.fetch(FetchRequest.get(1,
                    java.net.URI.create(busy.url("/busy"))));
            assertThat(dev.bulkfetch.testing.Await.until(() -> busy.requests() == 1,
                    Duration.ofSeconds(20))).isTrue();

            backingOff.cancel(true);

            assertTheNextRequestGoes(fetcher);
            assertThat(busy.requests()).as("the retry never went").isEqualTo(1);
        }
    }

    /**
     * A request now, on a fetcher of one slot, ends well within its timeouts: the slot is free.
     * Bounded, so a slot still held fails the test rather than waiting out a minute.
     */
    private static void assertTheNextRequestGoes(Fetcher fetcher) {
        FetchResult next = fetcher.fetch(server.request(2, "/ok/"))
                .orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(next.ok()).as(fetcher.config().engine().cliName()).isTrue();
    }

    private static Stream<Long> LongStreamOf(long n) {
        return IntStream.rangeClosed(1, (int) n).mapToObj(i -> (long) i);
    }

    @Test
    void anOrderedStreamGivesInputOrder() {
        try (Fetcher fetcher = Fetcher.builder().concurrency(8).ordered(true).build()) {
            Stream<FetchRequest> requests = Stream.concat(Stream.of(server.request(1, "/slow/")),
                    LongStreamOf(30).map(n -> server.request(n + 1, "/ok/")));
            assertThat(fetcher.stream(requests).map(FetchResult::seq).toList()).isSorted()
                    .hasSize(31);
        }
    }

    @Test
    void thePublisherDeliversEveryResultOnDemand() throws Exception {
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).build()) {
            TestSubscriber subscriber = TestSubscriber.oneAtATime();
            fetcher.publisher(LongStreamOf(20).map(n -> server.request(n, "/ok/")))
                    .subscribe(subscriber);
            assertThat(subscriber.awaitEnd(30)).isTrue();
            assertThat(subscriber.received()).hasSize(20);
        }
    }

    @Test
    void aZeroCloseGraceClosesAtOnce() {
        Fetcher fetcher = Fetcher.builder().closeGrace(Duration.ZERO).build();
        CompletableFuture<FetchResult> hanging = fetcher.fetch(server.request(1, "/hang/"));
        long start = System.nanoTime();
        fetcher.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(hanging.join().error().kind()).isEqualTo(ErrorKind.CANCELLED);
    }

    /**
     * Its own threads only (an earlier test's may still be ending), and given a moment to
     * exit: an event loop or a pool reports itself terminated just before its threads end.
     * A thread left running stays, and fails this.
     */
    @Test
    void closeDuringARunLeavesNoThreadOfTheFetcherRunning() throws Exception {
        java.util.Set<Thread> before = bulkfetchThreads();
        Fetcher fetcher = Fetcher.builder().concurrency(8).closeGrace(Duration.ofMillis(200))
                .build();
        List<CompletableFuture<FetchResult>> hanging = IntStream.rangeClosed(1, 20)
                .mapToObj(n -> fetcher.fetch(server.request(n, "/hang/"))).toList();

        fetcher.close();

        assertThat(hanging).allMatch(f -> f.isDone()
                && f.join().error().kind() == ErrorKind.CANCELLED);
        assertThatThrownBy(() -> fetcher.fetch(server.request(99, "/ok/")))
                .isInstanceOf(IllegalStateException.class);
        java.util.function.Supplier<List<String>> left = () -> bulkfetchThreads().stream()
                .filter(t -> !before.contains(t)).map(Thread::getName).toList();
        assertThat(dev.bulkfetch.testing.Await.until(() -> left.get().isEmpty(),
                Duration.ofSeconds(5))).as("threads left: %s", left.get()).isTrue();
    }

    private static java.util.Set<Thread> bulkfetchThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("bulkfetch-"))
                .collect(java.util.stream.Collectors.toSet());
    }
}
