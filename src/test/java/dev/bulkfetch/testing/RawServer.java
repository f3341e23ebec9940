package dev.bulkfetch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A server that misbehaves in ways WireMock cannot: on 127.0.0.1, one virtual thread per
 * connection, each answering as its {@link Mode} says.
 */
public final class RawServer implements AutoCloseable {

    /** How to answer. */
    public enum Mode {
        /** Accept, read the request, never answer. */
        NEVER_ANSWER,
        /** Promise 100 bytes, send 10, close. */
        SHORT_BODY,
        /** A chunked body of 1 GiB, as fast as the client reads. */
        ONE_GIB,
        /** A valid response whose body ends where the connection does (no length, no chunks). */
        CLOSE_DELIMITED,
        /** As {@link #CLOSE_DELIMITED}, but after its first bytes the server never closes. */
        ENDLESS_CLOSE_DELIMITED,
        /** A redirect to {@code /landed} whose own body never ends; {@code /landed} is "landed". */
        REDIRECT_WITH_ENDLESS_BODY,
        /**
         * A redirect declaring a body of 20 bytes, which come one every 1.5 s: no read waits
         * long, the whole takes 30 s.
         */
        REDIRECT_WITH_DRIBBLED_BODY,
        /** A response whose headers take 512 KiB, over every engine's limit. */
        HUGE_HEADERS,
        /** 200 for a request line of ASCII only, as HTTP requires; 400 for any other byte. */
        ASCII_ONLY,
        /** A 103 Early Hints, then the answer: 200 with the body "ok". */
        EARLY_HINTS,
        /**
         * A 103 Early Hints, then the answer, 200 "ok", its bytes 6 at a time 150 ms apart
         * (about 1.8 s in all): no read waits long, the response does.
         */
        TRICKLED_HEAD,
        /** Two different Content-Lengths (2 and 3), then "ok!". */
        TWO_LENGTHS,
        /**
         * On each connection, the first request is answered "ok" and the connection kept; the
         * second is read and the connection closed unanswered, as by a server whose keep-alive
         * timeout ran out just as that request came.
         */
        CLOSES_ON_SECOND_REQUEST,
        /**
         * As {@link #CLOSES_ON_SECOND_REQUEST}, but the first answers wait until two
         * connections have each brought a request: two requests sent together leave the
         * client two kept-alive connections that will both close.
         */
        TWO_CLOSING_ON_SECOND_REQUEST,
        /**
         * A kept-alive connection where {@code /nocontent} is a 204 that declares and sends a
         * body anyway ("hello", against RFC 9112) and any other path is 200 "ok".
         */
        NO_CONTENT_WITH_BODY,
        /** The response {@link #answering} was given, then the connection closed. */
        FIXED,
        /** The response {@link #resetting} was given, then the connection reset (a TCP RST). */
        FIXED_THEN_RESET,
        /**
         * The response {@link #holding} was given, then the connection held open until the
         * client closes it, as a server keeping it alive holds it.
         */
        FIXED_HELD,
        /** Each request on a connection kept alive answered as {@link #keepingAlive} says. */
        KEPT_ALIVE,
        /**
         * Reads what the client sends first (a request head, or a TLS ClientHello), then closes
         * the connection: a server going away in the middle of a TLS handshake.
         */
        CLOSE_AFTER_FIRST_BYTES,
        /** As {@link #CLOSE_AFTER_FIRST_BYTES}, but resets the connection instead. */
        RESET_AFTER_FIRST_BYTES,
        /**
         * Kept-alive connections where the server sends more than its answer: {@code
         * /head-body} is 200 with the body "hello" whatever the method (a HEAD too), {@code
         * /not-modified} a 304 with the body "hello", {@code /head-moved} a 301 declaring a body of
         * a million bytes and sending none, {@code /too-long} a Content-Length of 2
         * and "okEXTRA"; {@code /late} a 304 whose body "hello" follows only on
         * {@link #releaseLateBytes()}; {@code /late-line-break} a 304 followed by a bare line
         * break, on {@link #releaseLateBytes()} too; any other path 200 "ok".
         */
        EXCESS,
        /**
         * A 200 declaring {@link #HELD_BODY_BYTES}, of which the first half goes at once and the
         * rest on {@link #releaseLateBytes()}.
         */
        HELD_BODY,
        /**
         * A 200 declaring 100 bytes, of which the first 10 go at once; on {@link
         * #releaseLateBytes()} the connection is reset instead of the rest.
         */
        RESET_IN_BODY,
        /**
         * A 200 declaring 100 bytes, its head and first 3 bytes 100 ms after the request, then
         * nothing until the client closes: {@link #stall()} is how long that silence lasted.
         */
        STALL_AFTER_START
    }

    /** The length of {@link Mode#HELD_BODY}'s body. */
    public static final int HELD_BODY_BYTES = 2 << 20;

    private final ServerSocket socket;
    private final Mode mode;
    // What a FIXED, FIXED_THEN_RESET, FIXED_HELD or KEPT_ALIVE server answers to a request's
    // head.
    private final UnaryOperator<String> answers;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch twoConnections = new CountDownLatch(2);
    private volatile String lastHead = "";
    private final CountDownLatch lateBytes = new CountDownLatch(1);
    private final AtomicInteger closedByClient = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final CompletableFuture<java.time.Duration> stall = new CompletableFuture<>();

    public RawServer(Mode mode) throws IOException {
        this(mode, null);
    }

    private RawServer(Mode mode, UnaryOperator<String> answers) throws IOException {
        this.mode = mode;
        this.answers = answers;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(() -> AcceptLoop.run(socket, threads, connections, this::answer));
    }

    /** A server that answers every request with {@code response} (ASCII), then closes. */
    public static RawServer answering(String response) throws IOException {
        return new RawServer(Mode.FIXED, head -> response);
    }

    /**
     * A server that answers every request with {@code response} (ASCII), then resets the
     * connection: what it sent is read first, the reset after it.
     */
    public static RawServer resetting(String response) throws IOException {
        return new RawServer(Mode.FIXED_THEN_RESET, head -> response);
    }

    /**
     * A server that answers every request with {@code response} (ASCII) and keeps the
     * connection open after it: a client that waits for more waits until its timeout.
     */
    public static RawServer holding(String response) throws IOException {
        return new RawServer(Mode.FIXED_HELD, head -> response);
    }

    /**
     * A server that answers each request with what {@code answer} makes of its head (request
     * line first), in ASCII, on a connection kept open for the next request.
     */
    public static RawServer keepingAlive(UnaryOperator<String> answer) throws IOException {
        return new RawServer(Mode.KEPT_ALIVE, answer);
    }

    /** The last request head read, its bytes as ISO-8859-1 chars (so UTF-8 shows as bytes). */
    public String lastHead() {
        return lastHead;
    }

    /**
     * Lets {@link Mode#EXCESS}'s {@code /late} body go, or {@link Mode#HELD_BODY}'s rest, or
     * {@link Mode#RESET_IN_BODY}'s reset.
     */
    public void releaseLateBytes() {
        lateBytes.countDown();
    }

    /** For {@link Mode#EXCESS} and {@link Mode#NEVER_ANSWER}: connections the client closed. */
    public int closedByClient() {
        return closedByClient.get();
    }

    /**
     * For {@link Mode#STALL_AFTER_START}: the silence from the server's last byte to the
     * client's close, once the client has closed (within 30 s).
     */
    public java.time.Duration stall() throws Exception {
        return stall.get(30, TimeUnit.SECONDS);
    }

    /** How many connections have been accepted. */
    public int connections() {
        return connections.get();
    }

    /** How many requests have been read, on all connections. */
    public int requests() {
        return requests.get();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    private void answer(Socket client) {
        try (client; InputStream in = client.getInputStream();
             OutputStream out = client.getOutputStream()) {
            if (mode == Mode.CLOSE_AFTER_FIRST_BYTES || mode == Mode.RESET_AFTER_FIRST_BYTES) {
                // Not readHead: a ClientHello has no end of head, and the client waits.
                in.read(new byte[16 * 1024]);
                if (mode == Mode.RESET_AFTER_FIRST_BYTES) {
                    client.setSoLinger(true, 0);
                }
                return;
            }
            String head = readHead(in);
            switch (mode) {
                case FIXED -> out.write(answers.apply(head).getBytes(StandardCharsets.US_ASCII));
                case FIXED_THEN_RESET -> {
                    out.write(answers.apply(head).getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    client.setSoLinger(true, 0);  // the close below resets the connection
                }
                case FIXED_HELD -> {
                    out.write(answers.apply(head).getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    in.read();  // until the client goes away
                }
                case KEPT_ALIVE -> {
                    for (String next = head; !next.isEmpty(); next = readHead(in)) {
                        out.write(answers.apply(next).getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
                case EXCESS -> {
                    for (String next = head; !next.isEmpty(); next = readHead(in)) {
                        String path = next.split(" ", 3)[1];
                        out.write((switch (path) {
                            case "/head-body" ->
                                    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
                            case "/head-moved" -> "HTTP/1.1 301 Moved Permanently\r\nLocation: "
                                    + "/moved-here\r\nContent-Length: 1000000\r\n\r\n";
                            case "/not-modified", "/late", "/late-line-break" ->
                                    "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"
                                            + (path.startsWith("/late") ? "" : "hello");
                            case "/too-long" ->
                                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA";
                            default -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                        }).getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        if (path.equals("/late") || path.equals("/late-line-break")) {
                            lateBytes.await();
                            out.write((path.equals("/late") ? "hello" : "\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                    }
                    closedByClient.incrementAndGet();
                }
                case CLOSE_AFTER_FIRST_BYTES, RESET_AFTER_FIRST_BYTES -> {
                    // Answered above.
                }
                case NO_CONTENT_WITH_BODY -> {
                    for (String next = head; !next.isEmpty(); next = readHead(in)) {
                        out.write((next.startsWith("GET /nocontent ")
                                ? "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello"
                                : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
                case CLOSES_ON_SECOND_REQUEST, TWO_CLOSING_ON_SECOND_REQUEST -> {
                    if (mode == Mode.TWO_CLOSING_ON_SECOND_REQUEST) {
                        twoConnections.countDown();
                        twoConnections.await();
                    }
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    readHead(in);
                }
                case STALL_AFTER_START -> {
                    Thread.sleep(100);
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    long last = System.nanoTime();
                    try {
                        while (in.read() >= 0) {
                            // until the client goes away, by a close or a reset
                        }
                    } finally {
                        stall.complete(java.time.Duration.ofNanos(System.nanoTime() - last));
                    }
                }
                case NEVER_ANSWER -> {
                    if (in.read() < 0) {
                        closedByClient.incrementAndGet();
                    }
                }
                case ENDLESS_CLOSE_DELIMITED -> {
                    out.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe start"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    in.read();  // until the client goes away
                }
                case CLOSE_DELIMITED -> out.write(("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
                        + "until the end").getBytes(StandardCharsets.US_ASCII));
                case SHORT_BODY -> out.write(("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                        + "0123456789").getBytes(StandardCharsets.US_ASCII));
                case REDIRECT_WITH_ENDLESS_BODY -> {
                    if (head.startsWith("GET /landed ")) {
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nlanded"
                                .getBytes(StandardCharsets.US_ASCII));
                    } else {
                        out.write(("HTTP/1.1 302 Found\r\nLocation: /landed\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        byte[] chunk = ("400\r\n" + "r".repeat(1024) + "\r\n")
                                .getBytes(StandardCharsets.US_ASCII);
                        while (true) {
                            out.write(chunk);  // until the client goes away
                        }
                    }
                }
                case REDIRECT_WITH_DRIBBLED_BODY -> {
                    out.write(("HTTP/1.1 302 Found\r\nLocation: /landed\r\n"
                            + "Content-Length: 20\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 20; i++) {
                        out.write('r');
                        out.flush();
                        Thread.sleep(1500);
                    }
                }
                case EARLY_HINTS -> out.write(("HTTP/1.1 103 Early Hints\r\n"
                        + "Link: </style.css>; rel=preload\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                        .getBytes(StandardCharsets.US_ASCII));
                case TRICKLED_HEAD -> {
                    byte[] all = ("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                            + "HTTP/1.1 200 OK\r\nX-Padding: trickled\r\n"
                            + "Content-Length: 2\r\n\r\nok").getBytes(StandardCharsets.US_ASCII);
                    for (int from = 0; from < all.length; from += 6) {
                        out.write(all, from, Math.min(6, all.length - from));
                        out.flush();
                        Thread.sleep(150);  // the server's pace, not a wait for the client
                    }
                }
                case TWO_LENGTHS -> out.write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                        + "Content-Length: 3\r\n\r\nok!").getBytes(StandardCharsets.US_ASCII));
                case ASCII_ONLY -> {
                    boolean ascii = head.chars().allMatch(c -> c < 0x80);
                    out.write((ascii ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                            : "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                }
                case HUGE_HEADERS -> {
                    out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
                    byte[] header = ("X-Filler: " + "f".repeat(1000) + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < 512; i++) {
                        out.write(header);
                    }
                    out.write("Content-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                }
                case HELD_BODY -> {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + HELD_BODY_BYTES
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    byte[] half = new byte[HELD_BODY_BYTES / 2];
                    java.util.Arrays.fill(half, (byte) 'h');
                    out.write(half);
                    out.flush();
                    lateBytes.await();
                    out.write(half);
                }
                case RESET_IN_BODY -> {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                            + "0123456789").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    lateBytes.await();
                    client.setSoLinger(true, 0);  // the close below resets the connection
                }
                case ONE_GIB -> {
                    out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    byte[] chunk = new byte[64 * 1024];
                    byte[] header = (Integer.toHexString(chunk.length) + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
                    for (long sent = 0; sent < (1L << 30); sent += chunk.length) {
                        out.write(header);
                        out.write(chunk);
                        out.write('\r');
                        out.write('\n');
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            out.flush();
        } catch (IOException e) {
            // The client went away: that is how most of these end.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads the request's head, and counts it; returns it (request line first). */
    private String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0;
        int b;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4 && (b = in.read()) >= 0) {
            head.append((char) b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        if (matched == 4) {
            lastHead = head.toString();
            requests.incrementAndGet();
        }
        return head.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        threads.shutdownNow();
    }
}
