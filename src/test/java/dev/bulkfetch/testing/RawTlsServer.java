package dev.bulkfetch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server that misbehaves after a good handshake, where {@link RawServer} cannot (it
 * speaks no TLS): on 127.0.0.1, with WireMock's self-signed certificate (trusted only with
 * {@code --insecure}), one virtual thread per connection. Its TLS runs over a plain socket
 * it keeps, so it can write bytes that are not TLS, or reset the connection.
 */
public final class RawTlsServer implements AutoCloseable {

    /** What to do once the handshake is done. */
    public enum Mode {
        /** Answer the request with a record that fails its MAC, where the answer should be. */
        BAD_RECORD,
        /** Answer 200 declaring 100 bytes, send 10, then a record that fails its MAC. */
        BAD_RECORD_IN_BODY,
        /**
         * Ask for a client certificate but take a client without one (as kube-apiserver,
         * nginx's {@code ssl_verify_client optional} or Go's {@code VerifyClientCertIfGiven}
         * do), read the request, then reset the connection without an answer.
         */
        RESET_AFTER_REQUEST_CERTIFICATE_OPTIONAL,
        /**
         * Over TLS 1.2, answer the first request 200 "ok", kept alive, then end TLS with a
         * close_notify (which ends the client's side of TLS too) and keep the connection open,
         * unread, until the client goes away: a server ending its TLS before its connection.
         * {@link #closeNotified()} says when the close_notify has gone, {@link #clientLeft()}
         * when the client has closed such a connection.
         */
        CLOSE_NOTIFY_KEPT_OPEN,
        /**
         * {@link #CLOSE_NOTIFY_KEPT_OPEN} over TLS 1.3, with the close_notify alone, as Go or
         * OpenSSL servers end their TLS: it ends only the server's side of TLS, and the client
         * may still write on the connection, unanswered.
         */
        CLOSE_NOTIFY_KEPT_OPEN_TLS_1_3,
        /**
         * Over TLS 1.3, answer 200 with "hello", a body the close delimits (no length), then
         * end TLS with the close_notify alone and keep the connection open, as
         * {@link #CLOSE_NOTIFY_KEPT_OPEN_TLS_1_3}: the close_notify ends the body.
         */
        BODY_ENDED_BY_CLOSE_NOTIFY,
        /**
         * As {@link #BODY_ENDED_BY_CLOSE_NOTIFY}, but the answer declares 100 bytes: the
         * close_notify cuts the body short.
         */
        BODY_CUT_BY_CLOSE_NOTIFY
    }

    private final ServerSocket socket;
    private final Mode mode;
    private final SSLContext context;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final java.util.concurrent.atomic.AtomicInteger requests =
            new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.CompletableFuture<Void> closeNotified =
            new java.util.concurrent.CompletableFuture<>();
    private final java.util.concurrent.CompletableFuture<Void> clientLeft =
            new java.util.concurrent.CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicInteger connections =
            new java.util.concurrent.atomic.AtomicInteger();

    public RawTlsServer(Mode mode) throws IOException, GeneralSecurityException {
        this.mode = mode;
        this.context = wireMockCertificate();
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(() -> AcceptLoop.run(socket, threads, connections, this::answer));
    }

    public String url(String path) {
        return "https://127.0.0.1:" + socket.getLocalPort() + path;
    }

    /** A server's TLS, with WireMock's self-signed certificate, for servers of other kinds. */
    public static SSLContext wireMockCertificate() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("JKS");
        try (InputStream in = com.github.tomakehurst.wiremock.WireMockServer.class
                .getClassLoader().getResourceAsStream("keystore")) {
            store.load(in, "password".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(
                KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "password".toCharArray());
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private void answer(Socket plain) {
        try (plain; SSLSocket tls = (SSLSocket) context.getSocketFactory()
                .createSocket(plain, null, plain.getPort(), false)) {
            tls.setUseClientMode(false);
            if (mode == Mode.RESET_AFTER_REQUEST_CERTIFICATE_OPTIONAL) {
                tls.setWantClientAuth(true);
            }
            boolean closeNotify = java.util.EnumSet.of(Mode.CLOSE_NOTIFY_KEPT_OPEN,
                    Mode.CLOSE_NOTIFY_KEPT_OPEN_TLS_1_3, Mode.BODY_ENDED_BY_CLOSE_NOTIFY,
                    Mode.BODY_CUT_BY_CLOSE_NOTIFY).contains(mode);
            if (closeNotify) {
                tls.setEnabledProtocols(new String[] {
                    mode == Mode.CLOSE_NOTIFY_KEPT_OPEN ? "TLSv1.2" : "TLSv1.3"});
            }
            tls.startHandshake();
            if (readHead(tls.getInputStream())) {
                requests.incrementAndGet();
            }
            if (mode == Mode.RESET_AFTER_REQUEST_CERTIFICATE_OPTIONAL) {
                plain.setSoLinger(true, 0);  // the close resets the connection
                return;
            }
            if (closeNotify) {
                String answer = switch (mode) {
                    case BODY_ENDED_BY_CLOSE_NOTIFY -> "HTTP/1.1 200 OK\r\n\r\nhello";
                    case BODY_CUT_BY_CLOSE_NOTIFY ->
                        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello";
                    default -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                };
                tls.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                tls.getOutputStream().flush();
                if (mode == Mode.CLOSE_NOTIFY_KEPT_OPEN) {
                    tls.close();  // the close_notify; the plain socket stays open (no auto close)
                } else {
                    // The close_notify alone: the JDK's close sends user_canceled before it
                    // over TLS 1.3, which a JDK client takes for the end of its side too.
                    tls.shutdownOutput();
                }
                closeNotified.complete(null);
                plain.getInputStream().transferTo(OutputStream.nullOutputStream());
                clientLeft.complete(null);
                return;
            }
            if (mode == Mode.BAD_RECORD_IN_BODY) {
                OutputStream out = tls.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            // An application-data record of 64 bytes that no key made: its MAC fails.
            byte[] record = new byte[5 + 64];
            record[0] = 0x17;
            record[1] = 3;
            record[2] = 3;
            record[4] = 64;
            java.util.Arrays.fill(record, 5, record.length, (byte) 0x5a);
            plain.getOutputStream().write(record);
            plain.getOutputStream().flush();
            // Until the client, told its record is bad, closes.
            plain.getInputStream().transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // The client went away: that is how these end.
        }
    }

    /** Reads a request's head; whether it came whole. */
    public static boolean readHead(InputStream in) throws IOException {
        byte[] end = {'\r', '\n', '\r', '\n'};
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return matched == 4;
    }

    /** For {@link Mode#CLOSE_NOTIFY_KEPT_OPEN}: done once the close_notify has been sent. */
    public java.util.concurrent.CompletableFuture<Void> closeNotified() {
        return closeNotified;
    }

    /**
     * For the close_notify modes: done once a client has closed a connection whose TLS the
     * server ended (its end of stream read).
     */
    public java.util.concurrent.CompletableFuture<Void> clientLeft() {
        return clientLeft;
    }

    /** How many connections were accepted. */
    public int connections() {
        return connections.get();
    }

    /** How many requests' heads came whole. */
    public int requests() {
        return requests.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        threads.shutdownNow();
    }
}
