package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.Records;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every engine reuses its connections: the server counts the client ports it sees. Run as a
 * user runs it, through {@code Main.main} in a JVM of its own, so the command line's own
 * settings of the HTTP client (its connection TTL among them) are the ones tested.
 */
class KeepAliveTest {

    private static final int URLS = 40;
    private static final int CONCURRENCY = 2;

    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private HttpServer server;
    // Notes the client's port of each request, and answers it.
    private final com.sun.net.httpserver.HttpHandler answer = exchange -> {
        clientPorts.add(exchange.getRemoteAddress().getPort());
        byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    };

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(threads);
        server.createContext("/", answer);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop(0);
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource
    void anEngineSendsManyRequestsOverFewConnections(EngineKind engine, @TempDir Path dir)
            throws Exception {
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/item/";
        Path urls = Files.writeString(dir.resolve("urls.txt"), IntStream.rangeClosed(1, URLS)
                .mapToObj(n -> base + n).collect(Collectors.joining("\n", "", "\n")));
        Path out = dir.resolve("out.jsonl");

        Process child = Child.start(dir.resolve("stderr.txt"), List.of(), "fetch",
                urls.toString(), "-e", engine.cliName(), "-c", Integer.toString(
                        engine == EngineKind.SERIAL ? 1 : CONCURRENCY),
                "-q", "-o", out.toString());

        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("stderr.txt")))
                .isZero();
        assertThat(Records.read(out)).hasSize(URLS);
        // A fresh connection per request would show 40 ports. A connection may be replaced
        // now and then (a race between release and the next request), never per request.
        assertThat(clientPorts).hasSizeBetween(1, 2 * CONCURRENCY);
    }

    /**
     * A TLS connection is reused too: the JDK keeps one for reuse under the socket factory it
     * was made with, the same object, so the engine's factory, which watches each handshake
     * (TlsHandshakes), must be one for all its connections.
     */
    @ParameterizedTest
    @EnumSource
    void anEngineReusesItsTlsConnections(EngineKind engine) throws Exception {
        com.sun.net.httpserver.HttpsServer tls = com.sun.net.httpserver.HttpsServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        tls.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(
                dev.bulkfetch.testing.RawTlsServer.wireMockCertificate()));
        tls.setExecutor(threads);
        tls.createContext("/", answer);
        tls.start();
        try (Engine client = Engine.create(engine, EngineContract.tlsOptions())) {
            for (int i = 1; i <= 5; i++) {
                Outcome outcome = client.send(dev.bulkfetch.FetchRequest.get(i, java.net.URI
                        .create("https://127.0.0.1:" + tls.getAddress().getPort() + "/" + i)))
                        .get(30, TimeUnit.SECONDS);
                assertThat(outcome.status()).as(String.valueOf(outcome.error())).isEqualTo(200);
            }
        } finally {
            tls.stop(0);
        }
        // One request after another: one connection for all.
        assertThat(clientPorts).hasSize(1);
    }
}
