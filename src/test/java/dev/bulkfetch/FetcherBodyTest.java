package dev.bulkfetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.TestServer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Body handlers through a real fetch, on every concurrent engine. */
class FetcherBodyTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    private static final byte[] BIG = new byte[300_000];

    record Catalog(String shop, List<String> items) {
    }

    @BeforeAll
    static void stubs() {
        new java.util.Random(3).nextBytes(BIG);
        var wm = server.wireMock();
        wm.stubFor(get(urlPathEqualTo("/catalog")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"shop\":\"north\",\"items\":[\"a\",\"b\",\"c\"]}")));
        wm.stubFor(get(urlPathEqualTo("/broken")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"shop\": ")));
        wm.stubFor(get(urlPathEqualTo("/blank")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("  \n")));
        wm.stubFor(get(urlPathEqualTo("/missing")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "text/html").withBody("<h1>no</h1>")));
        wm.stubFor(get(urlPathEqualTo("/big")).willReturn(aResponse().withStatus(200)
                .withBody(BIG)));
        // Chunked, with no Content-Length: the limit is found mid-stream, not from a header.
        wm.stubFor(get(urlPathEqualTo("/big-chunked")).willReturn(aResponse().withStatus(200)
                .withBody(BIG).withChunkedDribbleDelay(10, 50)));
    }

    private static FetchResult fetch(EngineKind engine, BodyHandler<?> handler, String path) {
        Fetcher.Builder builder = Fetcher.builder().engine(engine).concurrency(2);
        if (handler != null) {
            builder.bodyHandler(handler);
        }
        try (Fetcher fetcher = builder.build()) {
            return fetcher.fetch(FetchRequest.get(1, URI.create(server.url(path)))).join();
        }
    }

    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void byDefaultTheWholeBodyIsKeptAsBytes(EngineKind engine) {
        FetchResult result = fetch(engine, null, "/big");
        assertThat(result.ok()).isTrue();
        assertThat(result.body(byte[].class)).isEqualTo(BIG);
    }

    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void jsonBodiesArriveParsed(EngineKind engine) {
        FetchResult result = fetch(engine, BodyHandlers.json(Catalog.class), "/catalog");
        assertThat(result.body(Catalog.class))
                .isEqualTo(new Catalog("north", List.of("a", "b", "c")));
        assertThat(fetch(engine, BodyHandlers.text(), "/catalog").body(String.class))
                .startsWith("{\"shop\":\"north\"");
    }

    record ShopOnly(String shop) {
    }

    /** A type need not name every field of the body: an API adds fields, jobs read a few. */
    @Test
    void jsonIntoATypeSkipsTheFieldsItDoesNotHave() {
        FetchResult result = fetch(EngineKind.EVENT_LOOP, BodyHandlers.json(ShopOnly.class),
                "/catalog");
        assertThat(result.error()).isNull();
        assertThat(result.body(ShopOnly.class)).isEqualTo(new ShopOnly("north"));
    }

    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void aBodyThatDoesNotParseIsThatItemsErrorAndA404StaysAnHttpError(EngineKind engine) {
        FetchResult broken = fetch(engine, BodyHandlers.json(Map.class), "/broken");
        assertThat(broken.status()).isEqualTo(200);
        assertThat(broken.error().kind()).isEqualTo(ErrorKind.BODY);
        assertThat(broken.error().message()).startsWith("the body handler failed: ")
                .contains("end-of-input");
        assertThat(broken.body()).isNull();

        // No JSON value, only white space: no empty body either (it was ok, its body null).
        FetchResult blank = fetch(engine, BodyHandlers.json(Map.class), "/blank");
        assertThat(blank.error()).isEqualTo(FetchError.of(ErrorKind.BODY,
                "the body handler failed: no JSON value in the body, only white space"));

        FetchResult missing = fetch(engine, BodyHandlers.json(Map.class), "/missing");
        assertThat(missing.error().kind()).isEqualTo(ErrorKind.HTTP);
        assertThat(missing.body()).isNull();
        assertThat(missing.bytes()).isEqualTo("<h1>no</h1>".length());
    }

    /**
     * A handler that throws an Error (an assertion, a parser's stack overflow) is the item's
     * failure as an exception is: a {@code body} error on a 2xx, the HTTP error with its status
     * otherwise. It was {@code protocol} on the event loop and {@code cancelled} on the others,
     * with the status lost.
     */
    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void aHandlerThrowingAnErrorFailsOnlyItsItemAsAnExceptionDoes(EngineKind engine) {
        BodyHandler<String> failsInAccept = response -> new BodyHandler.Sink<>() {
            @Override
            public void accept(ByteBuffer chunk) {
                throw new AssertionError("not what the test expected");
            }

            @Override
            public String finish() {
                return "never";
            }
        };
        BodyHandler<String> failsInFinish = response -> new BodyHandler.Sink<>() {
            @Override
            public void accept(ByteBuffer chunk) {
            }

            @Override
            public String finish() {
                throw new StackOverflowError();
            }
        };
        for (BodyHandler<String> handler : List.of(failsInAccept, failsInFinish)) {
            FetchResult ok = fetch(engine, handler, "/catalog");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.error().kind()).isEqualTo(ErrorKind.BODY);
            assertThat(ok.error().message()).startsWith("the body handler failed: ");

            FetchResult missing = fetch(engine, handler, "/missing");
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.error().kind()).isEqualTo(ErrorKind.HTTP);
        }
    }

    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void aHandlerSeesTheBodyChunkByChunkAndKeepsOnlyWhatItNeeds(EngineKind engine) {
        AtomicInteger chunks = new AtomicInteger();
        BodyHandler<Long> sum = response -> new BodyHandler.Sink<>() {
            private final AtomicLong total = new AtomicLong();

            @Override
            public void accept(ByteBuffer chunk) {
                chunks.incrementAndGet();
                while (chunk.hasRemaining()) {
                    total.addAndGet(chunk.get() & 0xff);
                }
            }

            @Override
            public Long finish() {
                return total.get();
            }
        };
        long expected = 0;
        for (byte b : BIG) {
            expected += b & 0xff;
        }
        FetchResult result = fetch(engine, sum, "/big");
        assertThat(result.body(Long.class)).isEqualTo(expected);
        assertThat(result.bytes()).isEqualTo(BIG.length);
        // 300 kB cannot come in one read: the handler saw it streaming, not buffered whole.
        assertThat(chunks.get()).isGreaterThan(1);
    }

    /** Counts what a handler's sinks are told: chunks' bytes, finishes and abandons. */
    private static final class Watcher implements BodyHandler<Void> {
        final AtomicLong seen = new AtomicLong();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicInteger abandoned = new AtomicInteger();
        private final boolean failing;

        Watcher(boolean failing) {
            this.failing = failing;
        }

        @Override
        public Sink<Void> open(ResponseInfo response) {
            return new Sink<>() {
                @Override
                public void accept(ByteBuffer chunk) {
                    seen.addAndGet(chunk.remaining());
                    if (failing) {
                        throw new IllegalStateException("disk full");
                    }
                }

                @Override
                public Void finish() {
                    finished.incrementAndGet();
                    return null;
                }

                @Override
                public void abandon() {
                    abandoned.incrementAndGet();
                }
            };
        }
    }

    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void aBodyOverTheMaximumIsTooLargeAndItsSinkIsAbandonedNotFinished(EngineKind engine) {
        Watcher watcher = new Watcher(false);
        try (Fetcher fetcher = Fetcher.builder().engine(engine).maxBodyBytes(100_000)
                .bodyHandler(watcher).build()) {
            FetchResult result = fetcher.fetch(FetchRequest.get(1,
                    URI.create(server.url("/big-chunked")))).join();
            assertThat(result.error().kind()).isEqualTo(ErrorKind.TOO_LARGE);
        }
        assertThat(watcher.seen.get()).isBetween(1L, 100_000L);
        assertThat(watcher.finished.get()).isZero();
        assertThat(watcher.abandoned.get()).isEqualTo(1);
    }

    /**
     * A handler's Error read differently per engine: a sink whose abandon() threw an assertion
     * turned a cut-off body into protocol on the event loop and cancelled on the others, and
     * running out of heap in open() was too_large on the event loop only.
     */
    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void aHandlersErrorReadsTheSameOnEveryEngine(EngineKind engine) throws Exception {
        BodyHandler<String> failsToLetGo = response -> new BodyHandler.Sink<>() {
            @Override
            public void accept(ByteBuffer chunk) {
            }

            @Override
            public String finish() {
                return "whole";
            }

            @Override
            public void abandon() {
                throw new AssertionError("abandon failed");
            }
        };
        BodyHandler<String> outOfHeap = response -> {
            throw new OutOfMemoryError("Java heap space (the test's)");
        };
        try (RawServer shortBody = new RawServer(RawServer.Mode.SHORT_BODY)) {
            FetchResult plain;
            FetchResult failing;
            try (Fetcher fetcher = Fetcher.builder().engine(engine).retries(RetryPolicy.NONE)
                    .build()) {
                plain = fetcher.fetch(FetchRequest.get(1, URI.create(shortBody.url("/"))))
                        .join();
            }
            try (Fetcher fetcher = Fetcher.builder().engine(engine).bodyHandler(failsToLetGo)
                    .retries(RetryPolicy.NONE).build()) {
                failing = fetcher.fetch(FetchRequest.get(1, URI.create(shortBody.url("/"))))
                        .join();
            }
            assertThat(plain.ok()).isFalse();
            assertThat(failing.error()).isEqualTo(plain.error());
        }
        FetchResult noHeap = fetch(engine, outOfHeap, "/catalog");
        assertThat(noHeap.error().kind()).isEqualTo(ErrorKind.TOO_LARGE);
        // The server answered before the heap ran out: its status is kept, as over the limit.
        assertThat(noHeap.status()).isEqualTo(200);
    }

    /**
     * A sink holding something (a file it writes) must hear when its body will never be whole,
     * or it cannot let go: a body cut off by the server, a sink that failed itself. A whole one
     * is finished and never abandoned.
     */
    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void aSinkIsAbandonedWhenItsBodyWillNotBeWholeAndOnlyThen(EngineKind engine)
            throws Exception {
        Watcher cutOff = new Watcher(false);
        Watcher failing = new Watcher(true);
        Watcher whole = new Watcher(false);
        try (RawServer shortBody = new RawServer(RawServer.Mode.SHORT_BODY)) {
            try (Fetcher fetcher = Fetcher.builder().engine(engine).bodyHandler(cutOff)
                    .retries(RetryPolicy.NONE).build()) {
                assertThat(fetcher.fetch(FetchRequest.get(1, URI.create(shortBody.url("/"))))
                        .join().ok()).isFalse();
            }
        }
        try (Fetcher fetcher = Fetcher.builder().engine(engine).bodyHandler(failing).build()) {
            assertThat(fetcher.fetch(FetchRequest.get(1, URI.create(server.url("/big"))))
                    .join().error().kind()).isEqualTo(ErrorKind.BODY);
        }
        try (Fetcher fetcher = Fetcher.builder().engine(engine).bodyHandler(whole).build()) {
            assertThat(fetcher.fetch(FetchRequest.get(1, URI.create(server.url("/big"))))
                    .join().ok()).isTrue();
        }
        assertThat(cutOff.seen.get()).isEqualTo(10);
        assertThat(List.of(cutOff.finished.get(), cutOff.abandoned.get())).containsExactly(0, 1);
        assertThat(List.of(failing.finished.get(), failing.abandoned.get()))
                .containsExactly(0, 1);
        assertThat(whole.seen.get()).isEqualTo(BIG.length);
        assertThat(List.of(whole.finished.get(), whole.abandoned.get())).containsExactly(1, 0);
    }

    /**
     * A body that ends where its connection does, still coming when the fetcher closes: the
     * connection's close, the engine's own or the server's after it, must not read as the
     * body's end. The event loop finished it, whole.
     */
    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void aBodyCutOffByClosingTheFetcherIsAbandonedNotFinished(EngineKind engine)
            throws Exception {
        Watcher watcher = new Watcher(false);
        try (RawServer endless = new RawServer(RawServer.Mode.ENDLESS_CLOSE_DELIMITED)) {
            java.util.concurrent.CompletableFuture<FetchResult> result;
            try (Fetcher fetcher = Fetcher.builder().engine(engine).bodyHandler(watcher)
                    .closeGrace(java.time.Duration.ofMillis(100)).build()) {
                result = fetcher.fetch(FetchRequest.get(1, URI.create(endless.url("/"))));
                assertThat(dev.bulkfetch.testing.Await.until(() -> watcher.seen.get() > 0,
                        java.time.Duration.ofSeconds(10))).isTrue();
            }
            assertThat(result.join().error().kind()).isEqualTo(ErrorKind.CANCELLED);
        }
        // A platform thread blocked in its read sees the server's close only now.
        assertThat(dev.bulkfetch.testing.Await.until(() -> watcher.finished.get()
                + watcher.abandoned.get() > 0, java.time.Duration.ofSeconds(20))).isTrue();
        assertThat(List.of(watcher.finished.get(), watcher.abandoned.get()))
                .containsExactly(0, 1);
    }

    /**
     * From an exploratory test: on the blocking engines a handler that read the headers as
     * the body ended saw a chunked body's trailer fields among them, which the JDK adds to the
     * head's list as it reads them; the event loop never did. The head is the same at open and
     * at finish on every engine.
     */
    @ParameterizedTest
    @EnumSource
    void aHandlerSeesTheHeadAloneAsTheBodyEndsTrailersAside(EngineKind engine)
            throws Exception {
        try (RawServer server = RawServer.answering("HTTP/1.1 200 OK\r\nX-T: from-header\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "2\r\nok\r\n0\r\nX-T: from-trailer\r\nX-Only-Trailer: 1\r\n\r\n")) {
            BodyHandler<List<Object>> seeing = response -> new BodyHandler.Sink<>() {
                private final List<Object> atOpen = List.of(response.headers("X-T"),
                        response.header("X-Only-Trailer"));

                @Override
                public void accept(ByteBuffer chunk) {
                }

                @Override
                public List<Object> finish() {
                    return List.of(atOpen, List.of(response.headers("X-T"),
                            response.header("X-Only-Trailer")));
                }
            };
            try (Fetcher fetcher = Fetcher.builder().engine(engine).concurrency(1)
                    .bodyHandler(seeing).build()) {
                FetchResult result = fetcher.fetch(FetchRequest.get(1,
                        URI.create(server.url("/trailers")))).join();

                assertThat(result.ok()).as(String.valueOf(result.error())).isTrue();
                List<Object> head = List.of(List.of("from-header"), java.util.Optional.empty());
                assertThat(result.body()).isEqualTo(List.of(head, head));
            }
        }
    }
}
