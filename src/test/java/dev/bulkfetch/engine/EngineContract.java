package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.RawServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the engine contract tests share: every engine meets the same server behaviour with
 * the same outcome, each {@code *ContractTest} class showing it for one part of HTTP. Here
 * are the engine options of each kind of test and the ways to fetch through a fresh engine.
 */
final class EngineContract {

    private EngineContract() {
    }

    /**
     * Time enough for any exchange that is to succeed, on a loaded machine too: a test of a
     * timeout sets its own ({@link #deadlines()}).
     */
    static EngineOptions options() {
        return new EngineOptions(8, Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(5), 10_000, 3, null, false);
    }

    /** A minute for everything: only the test's cancel ends the request. */
    static EngineOptions patient() {
        return new EngineOptions(8, Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(60), 10_000, 3, null, false);
    }

    /** Short timeouts, for the tests of them: a whole request 800 ms, a read 600 ms. */
    static EngineOptions deadlines() {
        return new EngineOptions(8, Duration.ofSeconds(2), Duration.ofMillis(800),
                Duration.ofMillis(600), 10_000, 3, null, false);
    }

    /**
     * For TLS: trusting any certificate, and with time for the first handshake, which in a
     * fresh JVM may take longer than {@link #deadlines()} allow.
     */
    static EngineOptions tlsOptions() {
        return new EngineOptions(8, Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(5), 10_000, 3, null, true);
    }

    static Outcome fetch(EngineKind kind, String url) throws Exception {
        return fetch(kind, url, options());
    }

    static Outcome fetch(EngineKind kind, String url, EngineOptions options)
            throws Exception {
        try (Engine engine = Engine.create(kind, options)) {
            return engine.send(FetchRequest.get(1, URI.create(url))).get(30, TimeUnit.SECONDS);
        }
    }

    /** What {@code kind} makes of {@code response}, a server's whole answer to a GET. */
    static Outcome answerTo(EngineKind kind, String response) throws Exception {
        try (RawServer server = RawServer.answering(response)) {
            return fetch(kind, server.url("/"));
        }
    }

    static void assertProtocolError(Outcome outcome) {
        assertThat(outcome.status()).isNull();
        assertThat(outcome.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
    }

    static void assertAnswered(Outcome outcome) {
        assertThat(outcome.error()).isNull();
        assertThat(outcome.status()).isEqualTo(200);
    }

    /**
     * Closes {@code engine} (within 3 s) and asserts that {@code sent}, in flight, then ends
     * cancelled (within 3 s more): what a stopped run leaves to --resume.
     */
    static Outcome assertCancelledByTheClose(Engine engine,
                                             java.util.concurrent.CompletableFuture<Outcome> sent)
            throws Exception {
        java.util.concurrent.CompletableFuture<Void> closed =
                java.util.concurrent.CompletableFuture.runAsync(engine::close);

        closed.get(3, TimeUnit.SECONDS);
        Outcome outcome = sent.get(3, TimeUnit.SECONDS);
        assertThat(outcome.status()).isNull();
        assertThat(outcome.error().kind()).as(outcome.toString())
                .isEqualTo(ErrorKind.CANCELLED);
        return outcome;
    }

    /** A redirect to /next on the same server. */
    static final String MOVED =
            "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n";

    /** A rate that never lets a redirect's next request start; it hands out one permit. */
    static final class NeverGranted implements RedirectGate {
        final java.util.concurrent.CompletableFuture<java.util.concurrent.CompletableFuture<Void>>
                asked = new java.util.concurrent.CompletableFuture<>();

        @Override
        public java.util.concurrent.CompletableFuture<Void> permit(URI to) {
            java.util.concurrent.CompletableFuture<Void> permit =
                    new java.util.concurrent.CompletableFuture<>();
            asked.complete(permit);
            return permit;
        }
    }

    /**
     * The engine gave {@code permit} up (failed or cancelled it), which the gate would
     * otherwise still grant, and the rate count a start for a request never sent.
     */
    static void assertGivenUp(java.util.concurrent.CompletableFuture<Void> permit) {
        // Bounded: the engine may ask for the permit just before it notes the wait.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> permit.get(3, TimeUnit.SECONDS))
                .as("the permit given up")
                .isInstanceOfAny(java.util.concurrent.CancellationException.class,
                        java.util.concurrent.ExecutionException.class);
    }
}
