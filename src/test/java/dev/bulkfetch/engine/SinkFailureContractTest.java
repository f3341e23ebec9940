package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.BodyHandler;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.RawTlsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A body handler's sink that throws on a 2xx body ends the item as a {@code body} error on
 * every engine, whatever then becomes of the rest of the body: over the limit, cut off, stalled
 * or reset, the sink's failure came first. Found by a tester: a sink that gave up after 5,000
 * bytes of a 30,000-byte body, with a limit of 10,000, ended too_large. A close of the engine
 * is the one exception: the run stopped, and the item is cancelled.
 */
class SinkFailureContractTest {

    private static final String FAILED = "the body handler failed: enough";

    /** Throws "enough" once its sink has seen more than {@code after} bytes; counts it down. */
    private static BodyHandler<Void> failingAfter(long after, CountDownLatch failed) {
        return response -> new BodyHandler.Sink<>() {
            private long seen;

            @Override
            public void accept(ByteBuffer chunk) {
                seen += chunk.remaining();
                if (seen > after) {
                    failed.countDown();
                    throw new IllegalStateException("enough");
                }
            }

            @Override
            public Void finish() {
                return null;
            }
        };
    }

    private static EngineOptions options(BodyHandler<?> handler) {
        return new EngineOptions(8, Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(5), 10_000, 3, handler, false);
    }

    private static void assertBodyError(Outcome outcome) {
        assertThat(outcome.error().kind()).as(outcome.toString()).isEqualTo(ErrorKind.BODY);
        assertThat(outcome.error().message()).isEqualTo(FAILED);
        assertThat(outcome.status()).isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource
    void aSinkThatFailedBeforeTheBodyPassedTheLimitEndsAsABodyError(EngineKind kind)
            throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        try (TwoParts server = new TwoParts(6_000, 24_000, failed);
             Engine engine = Engine.create(kind, options(failingAfter(5_000, failed)))) {
            Outcome outcome = engine.send(FetchRequest.get(1, URI.create(server.url())))
                    .get(30, TimeUnit.SECONDS);

            assertBodyError(outcome);
            assertThat(outcome.bytes()).isEqualTo(10_001);
        }
    }

    /** A 500's body cut off keeps its status and its own error: only a 2xx's sink counts. */
    @ParameterizedTest
    @EnumSource
    void aSinkThatFailedBeforeTheBodyWasCutOffEndsAsABodyError(EngineKind kind)
            throws Exception {
        EngineOptions failing = options(failingAfter(0, new CountDownLatch(1)));
        try (RawServer cut = new RawServer(RawServer.Mode.SHORT_BODY);
             RawServer cutError = RawServer.answering("HTTP/1.1 500 Server Error\r\n"
                     + "Content-Length: 100\r\n\r\n0123456789")) {
            Outcome outcome = EngineContract.fetch(kind, cut.url("/short"), failing);
            Outcome error = EngineContract.fetch(kind, cutError.url("/short"), failing);

            assertBodyError(outcome);
            assertThat(outcome.bytes()).isEqualTo(10);
            assertThat(error.status()).isEqualTo(500);
            assertThat(error.error().kind()).as(error.toString()).isEqualTo(ErrorKind.PROTOCOL);
        }
    }

    /** Stalled after the sink failed: a body error, not a timeout (idle timeout 600 ms). */
    @ParameterizedTest
    @EnumSource
    void aSinkThatFailedBeforeTheBodyStalledEndsAsABodyError(EngineKind kind)
            throws Exception {
        EngineOptions failing = new EngineOptions(8, Duration.ofSeconds(2),
                Duration.ofMillis(800), Duration.ofMillis(600), 10_000, 3,
                failingAfter(0, new CountDownLatch(1)), false);
        try (RawServer stalled = RawServer.holding("HTTP/1.1 200 OK\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")) {
            Outcome outcome = EngineContract.fetch(kind, stalled.url("/stalled"), failing);

            assertBodyError(outcome);
            assertThat(outcome.bytes()).isEqualTo(5);
        }
    }

    @ParameterizedTest
    @EnumSource
    void aSinkThatFailedBeforeTheBodyWasResetEndsAsABodyError(EngineKind kind)
            throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        try (RawServer resetting = new RawServer(RawServer.Mode.RESET_IN_BODY);
             Engine engine = Engine.create(kind, options(failingAfter(0, failed)))) {
            CompletableFuture<Outcome> sent = engine.send(
                    FetchRequest.get(1, URI.create(resetting.url("/reset"))));
            assertThat(failed.await(20, TimeUnit.SECONDS)).as("the sink failed").isTrue();
            resetting.releaseLateBytes();

            assertBodyError(sent.get(20, TimeUnit.SECONDS));
        }
    }

    /** Closing the engine after the sink failed: cancelled, so a resume fetches it again. */
    @ParameterizedTest
    @EnumSource
    void aSinkThatFailedBeforeTheEngineClosedIsCancelled(EngineKind kind) throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        try (RawServer endless = new RawServer(RawServer.Mode.ENDLESS_CLOSE_DELIMITED)) {
            Engine engine = Engine.create(kind, options(failingAfter(0, failed)));
            CompletableFuture<Outcome> sent = engine.send(
                    FetchRequest.get(1, URI.create(endless.url("/stream"))));
            assertThat(failed.await(20, TimeUnit.SECONDS)).as("the sink failed").isTrue();

            CompletableFuture.runAsync(engine::close).get(10, TimeUnit.SECONDS);
            Outcome outcome = sent.get(10, TimeUnit.SECONDS);
            assertThat(outcome.error().kind()).as(outcome.toString())
                    .isEqualTo(ErrorKind.CANCELLED);
        }
    }

    /**
     * Answers one GET with a chunked 200: {@code first} bytes, then, once {@code between} is
     * counted down (the client's sink has seen them), {@code rest} more and the body's end.
     */
    private static final class TwoParts implements AutoCloseable {
        private final ServerSocket socket =
                new ServerSocket(0, 1, InetAddress.getLoopbackAddress());

        TwoParts(int first, int rest, CountDownLatch between) throws IOException {
            Thread.ofVirtual().start(() -> serve(first, rest, between));
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/large";
        }

        private void serve(int first, int rest, CountDownLatch between) {
            try (Socket client = socket.accept(); InputStream in = client.getInputStream();
                 OutputStream out = client.getOutputStream()) {
                RawTlsServer.readHead(in);
                write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                write(out, chunk(first));
                if (between.await(20, TimeUnit.SECONDS)) {
                    write(out, chunk(rest) + "0\r\n\r\n");
                    in.transferTo(OutputStream.nullOutputStream());  // until the client goes
                }
            } catch (IOException ended) {
                // The client went away, or the test is over.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static String chunk(int length) {
            return Integer.toHexString(length) + "\r\n" + "x".repeat(length) + "\r\n";
        }

        private static void write(OutputStream out, String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
