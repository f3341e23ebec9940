package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.FullListener;
import dev.bulkfetch.testing.RawTlsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The JDK's engines keep --timeout while the JDK sends a request again by itself. A GET lost
 * with its kept-alive connection goes again on a new connection ({@link Resends}), made inside
 * the JDK's client, where the watchdog's close does not reach it: one still connecting at the
 * deadline was made after it, and then waited for its answer as long as the item had had at
 * its start (4.5 s for a --timeout of 2 s).
 */
class ResendDeadlineTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /**
     * The server closes the kept-alive connection unanswered 1.5 s into the item, and takes
     * the new connection only after the JDK's first SYN for it was dropped (Linux drops SYNs
     * to a full queue): the next SYN, a second later, comes after the deadline.
     */
    @ParameterizedTest
    @EnumSource(names = "VIRTUAL")  // threads and serial overrun over http: see ConnectGate
    void aResendStillConnectingAtTheDeadlineEndsThere(EngineKind kind) throws Exception {
        Assumptions.assumeTrue(FullListener.socketsVisible());
        EngineOptions options = new EngineOptions(4, Duration.ofSeconds(5), TIMEOUT,
                Duration.ofSeconds(5), 10_000, 3, null, false);
        try (LateClosing server = new LateClosing();
             Engine engine = Engine.create(kind, options)) {
            Second second = sendTwice(server, engine);

            // Else the resend connected before the deadline, where the watchdog's close ends
            // it with or without the interrupt: the test would show nothing.
            Assumptions.assumeTrue(server.resendSeenConnecting,
                    "the resend's connection was not seen still being made");
            assertThat(second.outcome().error().kind()).isEqualTo(ErrorKind.TIMEOUT);
            // At the deadline, with room for a loaded machine: it took 4.5 s.
            assertThat(second.took()).isLessThan(TIMEOUT.plusMillis(1_200));
        }
    }

    /**
     * As above over https, on platform threads, whose connect the deadline cannot end: the
     * resend's TCP connect is made after the deadline, and its TLS socket, layered over it, is
     * refused ({@link ConnectGate}). It went on to a handshake the server never answers, and
     * the item ended 4.5 s in.
     */
    @ParameterizedTest
    @EnumSource(names = {"THREADS", "SERIAL"})
    void anHttpsResendConnectedAfterTheDeadlineIsRefused(EngineKind kind) throws Exception {
        Assumptions.assumeTrue(FullListener.socketsVisible());
        EngineOptions options = new EngineOptions(4, Duration.ofSeconds(5), TIMEOUT,
                Duration.ofSeconds(5), 10_000, 3, null, true);
        try (LateClosing server = new LateClosing(RawTlsServer.wireMockCertificate());
             Engine engine = Engine.create(kind, options)) {
            Second second = sendTwice(server, engine);

            Assumptions.assumeTrue(server.resendSeenConnecting,
                    "the resend's connection was not seen still being made");
            assertThat(second.outcome().error().kind()).isEqualTo(ErrorKind.TIMEOUT);
            // Once the resend's connect is made, 0.5 s past the deadline (the SYN that was
            // dropped is sent again a second after it), with room for a loaded machine: not
            // 2.5 s after the deadline, as the handshake and the wait for an answer took.
            assertThat(second.took()).isLessThan(TIMEOUT.plusMillis(1_800));
        }
    }

    /** The second request's outcome, and how long it took. */
    private record Second(Outcome outcome, Duration took) {
    }

    /** A first request, answered and its connection kept, then the second, the server's. */
    private static Second sendTwice(LateClosing server, Engine engine) throws Exception {
        Outcome first = engine.send(FetchRequest.get(1, URI.create(server.url())))
                .get(10, TimeUnit.SECONDS);
        assertThat(first.status()).isEqualTo(200);

        long start = System.nanoTime();
        Outcome second = engine.send(FetchRequest.get(2, URI.create(server.url())))
                .get(20, TimeUnit.SECONDS);
        return new Second(second, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * On 127.0.0.1: the first connection's first request is answered "ok" and it is kept;
     * its second is read, and 1.5 s later the connection closed unanswered. The listener's
     * queue is full by then; it accepts again once a new connection from the client is
     * under way, and holds each unanswered (over https, with no handshake).
     */
    private static final class LateClosing implements AutoCloseable {

        private final ServerSocket socket;
        private final List<SocketChannel> fillers = new CopyOnWriteArrayList<>();
        private final Set<Integer> fillerPorts = ConcurrentHashMap.newKeySet();
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        // The kept connection's TLS, or null for plain http.
        private final SSLContext tls;
        // Whether the client's new connection was seen still being made after the close.
        volatile boolean resendSeenConnecting;

        LateClosing() throws IOException {
            this(null);
        }

        LateClosing(SSLContext tls) throws IOException {
            this.tls = tls;
            socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::serve);
        }

        String url() {
            return (tls == null ? "http" : "https") + "://127.0.0.1:" + socket.getLocalPort()
                    + "/";
        }

        private void serve() {
            try (Socket kept = socket.accept(); Socket spoken = speaking(kept);
                 InputStream in = spoken.getInputStream();
                 OutputStream out = spoken.getOutputStream()) {
                RawTlsServer.readHead(in);
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                FullListener.fill(socket, fillers, fillerPorts);
                RawTlsServer.readHead(in);
                // The server's behaviour, not a wait for the client: it gives up late.
                Thread.sleep(1_500);
                kept.close();  // the TCP connection: no close_notify over https
                resendSeenConnecting = Await.until(() -> connecting() > 0,
                        Duration.ofSeconds(5));
                while (!socket.isClosed()) {
                    Socket next = socket.accept();
                    if (fillerPorts.contains(next.getPort())) {
                        next.close();
                    } else {
                        held.add(next);
                    }
                }
            } catch (Exception ended) {
                // The test is over.
            }
        }

        /** {@code kept}, or a TLS server's socket over it, its handshake done. */
        private Socket speaking(Socket kept) throws IOException {
            if (tls == null) {
                return kept;
            }
            SSLSocket spoken = (SSLSocket) tls.getSocketFactory()
                    .createSocket(kept, null, kept.getPort(), false);
            spoken.setUseClientMode(false);
            spoken.startHandshake();
            return spoken;
        }

        /** The client's connections to the listener still being made (not the fillers'). */
        private int connecting() throws IOException {
            return FullListener.socketsTo(socket.getLocalPort(), Set.of(FullListener.SYN_SENT),
                    fillerPorts);
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (SocketChannel filler : fillers) {
                filler.close();
            }
            for (Socket connection : held) {
                connection.close();
            }
        }
    }
}
