package dev.bulkfetch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Locale;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A server for requests with bodies, which {@link RawServer} reads no part of: on 127.0.0.1,
 * one virtual thread per connection. It notes each request it reads, head and body, in the
 * order they came, so a test sees what went on the wire: bytes the client sent twice show as
 * a request whose head does not start with its method. Plain HTTP, or TLS with WireMock's
 * self-signed certificate (trusted only with {@code --insecure}) where a mode says so.
 */
public final class UploadServer implements AutoCloseable {

    /** A request as read: its head (request line first, bytes as ISO-8859-1) and its body. */
    public record Received(String head, String body) {
    }

    private enum Mode {
        CONTINUE_UNASKED, REFUSE_EARLY, ACCEPT_EARLY, ACCEPT_EARLY_THEN_STALL, READ_LATE,
        READ_HEAD_ONLY, ACCEPT_EARLY_THEN_END_TLS
    }

    private final ServerSocket socket;
    private final Mode mode;
    // How long a READ_LATE server leaves a body unread.
    private final Duration pause;
    // The server's TLS, or null for plain HTTP.
    private final SSLContext tls;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    // One permit per request noted in received.
    private final Semaphore noted = new Semaphore(0);
    // Counted down by close(): what a connection held open waits for.
    private final CountDownLatch closed = new CountDownLatch(1);

    private UploadServer(Mode mode) throws IOException {
        this(mode, Duration.ZERO, null);
    }

    private UploadServer(Mode mode, Duration pause, SSLContext tls) throws IOException {
        this.mode = mode;
        this.pause = pause;
        this.tls = tls;
        this.socket = new ServerSocket();
        if (mode == Mode.READ_LATE || mode == Mode.ACCEPT_EARLY_THEN_END_TLS) {
            // A fixed buffer, not one the kernel grows: a large body cannot all go while the
            // server reads none of it.
            socket.setReceiveBufferSize(64 << 10);
        }
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        threads.execute(() -> AcceptLoop.run(socket, threads, connections, this::answer));
    }

    /**
     * Reads each request whole (its body by its Content-Length), then answers it with a
     * {@code 100 Continue} no one asked for and a 200 "ok", on a connection kept open.
     */
    public static UploadServer continuingUnasked() throws IOException {
        return new UploadServer(Mode.CONTINUE_UNASKED);
    }

    /**
     * Reads a request's head and the first byte of its body, answers {@code 413} (no body,
     * {@code Connection: close}) and resets the connection with the rest of the body unread,
     * as a server that closes with unread data does.
     */
    public static UploadServer refusingEarly() throws IOException {
        return new UploadServer(Mode.REFUSE_EARLY);
    }

    /**
     * Answers {@code 200} (kept alive) as soon as a request's head has come, then reads its
     * body by its Content-Length, noted by its size alone (as that many {@code 'u'}s are
     * not worth keeping): a server that does not wait for the body to answer.
     */
    public static UploadServer acceptingEarly() throws IOException {
        return new UploadServer(Mode.ACCEPT_EARLY);
    }

    /**
     * Reads a request's head, then none of its body for {@code pause}, then all of it (noted
     * by its size alone, as {@link #acceptingEarly} notes it), and answers a 200 "ok", kept
     * alive: a server slow to start reading an upload.
     */
    public static UploadServer readingLate(Duration pause) throws IOException {
        return new UploadServer(Mode.READ_LATE, pause, null);
    }

    /**
     * Reads a request's head, noted with an empty body, then holds the connection open and
     * reads nothing more, never answering, until the server closes: a server that stalls an
     * upload (its body fills the connection's buffers, and the client's write blocks).
     */
    public static UploadServer readingHeadOnly() throws IOException {
        return new UploadServer(Mode.READ_HEAD_ONLY);
    }

    /**
     * As {@link #readingHeadOnly()}, over TLS: the body's records fill the buffers under the
     * client's TLS socket, whose write then blocks holding that socket's write lock.
     */
    public static UploadServer readingHeadOnlyOverTls()
            throws IOException, GeneralSecurityException {
        return new UploadServer(Mode.READ_HEAD_ONLY, Duration.ZERO,
                RawTlsServer.wireMockCertificate());
    }

    /**
     * Answers a POST {@code 200} (kept alive) as soon as its head has come, then reads none of
     * its body, holding the connection until the server closes; answers any other request
     * {@code 200} at once: a server that says yes to an upload it then stalls.
     */
    public static UploadServer acceptingEarlyThenStalling() throws IOException {
        return new UploadServer(Mode.ACCEPT_EARLY_THEN_STALL);
    }

    /**
     * Over TLS 1.3, answers a request {@code 200} (kept alive) as soon as its head has come,
     * then ends its TLS with a close_notify alone, as Go or OpenSSL servers do, reads the
     * body by its Content-Length (noted by its size alone) and keeps the connection open,
     * reading, until the client closes it. Its receive buffer is fixed, as for
     * {@link #readingLate}: a large body is still going out as the answer comes.
     */
    public static UploadServer acceptingEarlyThenEndingTls()
            throws IOException, GeneralSecurityException {
        return new UploadServer(Mode.ACCEPT_EARLY_THEN_END_TLS, Duration.ZERO,
                RawTlsServer.wireMockCertificate());
    }

    /** Waits until {@code count} requests have been read whole, at most {@code timeout}. */
    public boolean awaitReceived(int count, Duration timeout) throws InterruptedException {
        if (!noted.tryAcquire(count, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        noted.release(count);
        return true;
    }

    /** The requests read so far, on all connections, in the order they came. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** How many connections have been accepted. */
    public int connections() {
        return connections.get();
    }

    public String url(String path) {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + socket.getLocalPort() + path;
    }

    private void answer(Socket plain) {
        try (plain; Socket client = overTls(plain); InputStream in = client.getInputStream();
             OutputStream out = client.getOutputStream()) {
            for (String head = readHead(in); !head.isEmpty(); head = readHead(in)) {
                if (mode == Mode.ACCEPT_EARLY_THEN_STALL) {
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    note(head, "");
                    if (head.startsWith("POST ")) {
                        closed.await();
                        return;
                    }
                    continue;
                }
                if (mode == Mode.READ_HEAD_ONLY) {
                    note(head, "");
                    closed.await();
                    return;
                }
                if (mode == Mode.REFUSE_EARLY) {
                    in.read();  // the body has begun to come
                    note(head, "");
                    out.write(("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    client.setSoLinger(true, 0);  // the close resets the connection
                    return;
                }
                if (mode == Mode.ACCEPT_EARLY_THEN_END_TLS) {
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    // The close_notify alone (the JDK's close sends user_canceled first).
                    client.shutdownOutput();
                    note(head, drain(in, length(head)) + " bytes");
                    plain.getInputStream().transferTo(OutputStream.nullOutputStream());
                    return;
                }
                if (mode == Mode.ACCEPT_EARLY) {
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    note(head, drain(in, length(head)) + " bytes");
                    continue;
                }
                if (mode == Mode.READ_LATE) {
                    Thread.sleep(pause.toMillis());  // the server's pace, not a wait for the client
                    note(head, drain(in, length(head)) + " bytes");
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    continue;
                }
                note(head, new String(in.readNBytes(length(head)), StandardCharsets.ISO_8859_1));
                out.write(("HTTP/1.1 100 Continue\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // The client went away.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();  // the server is closing
        }
    }

    /** {@code plain}, or a server's TLS socket over it. */
    private Socket overTls(Socket plain) throws IOException {
        if (tls == null) {
            return plain;
        }
        // With auto close, shutting TLS's output down ends plain's too (the client saw its
        // connection end): not where TLS is to end with the connection kept open.
        SSLSocket server = (SSLSocket) tls.getSocketFactory().createSocket(plain, null,
                plain.getPort(), mode != Mode.ACCEPT_EARLY_THEN_END_TLS);
        server.setUseClientMode(false);
        if (mode == Mode.ACCEPT_EARLY_THEN_END_TLS) {
            server.setEnabledProtocols(new String[] {"TLSv1.3"});
        }
        return server;
    }

    private void note(String head, String body) {
        received.add(new Received(head, body));
        noted.release();
    }

    /** Reads up to {@code length} bytes, fewer when the connection ends first; how many. */
    private static long drain(InputStream in, long length) throws IOException {
        byte[] buffer = new byte[64 << 10];
        long read = 0;
        for (int n; read < length
                && (n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read))) > 0; ) {
            read += n;
        }
        return read;
    }

    /** The head's Content-Length, 0 when it has none. */
    private static int length(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return 0;
    }

    /** The bytes up to and with the first empty line; empty when the connection ends first. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        byte[] end = {'\r', '\n', '\r', '\n'};
        int matched = 0;
        int b;
        while (matched < end.length && (b = in.read()) >= 0) {
            head.append((char) b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return matched == end.length ? head.toString() : "";
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        socket.close();
        threads.shutdownNow();
    }
}
