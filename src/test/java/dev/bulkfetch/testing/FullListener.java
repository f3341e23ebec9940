package dev.bulkfetch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listener on 127.0.0.1 that never accepts, its queue filled: Linux drops further SYNs, so a
 * connect to it waits until the client gives up. For connect timeouts without a network.
 *
 * <p>{@link #release()} makes room: a connect still under way is then made, at the client's
 * next SYN, and what each connection sends is counted. The client's sockets to it are read
 * from Linux's socket tables: a test can see a connect under way, and its end.
 */
public final class FullListener implements AutoCloseable {

    /** An open connection, in the kernel's table. */
    public static final String ESTABLISHED = "01";
    /** A socket still connecting, in the kernel's table. */
    public static final String SYN_SENT = "02";

    private final ServerSocket socket;
    private final List<SocketChannel> fillers = new ArrayList<>();
    private final Set<Integer> fillerPorts = new HashSet<>();
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger ended = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();

    public FullListener() {
        try {
            socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            fill(socket, fillers, fillerPorts);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fills the queue of {@code listener} (its backlog 1) with connections that are never
     * accepted, so that Linux drops further SYNs to it; each goes to {@code fillers}, its
     * local port to {@code ports}, for the socket tables to tell the client's apart.
     */
    public static void fill(ServerSocket listener, List<SocketChannel> fillers,
                            Set<Integer> ports) throws IOException {
        for (int i = 0; i < 8; i++) {
            SocketChannel filler = SocketChannel.open();
            fillers.add(filler);
            filler.configureBlocking(false);
            // Bound first: its port is known only then, before its connect is made.
            filler.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ports.add(((InetSocketAddress) filler.getLocalAddress()).getPort());
            filler.connect(listener.getLocalSocketAddress());
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    /** Whether this machine's socket tables can be read (Linux). */
    public static boolean socketsVisible() {
        return Files.isReadable(Path.of("/proc/net/tcp"));
    }

    /** The client's sockets to this listener still connecting (not the fillers). */
    public int connecting() throws IOException {
        return clientSockets(Set.of(SYN_SENT));
    }

    /** The client's sockets to this listener connecting or open (not the fillers). */
    public int clientSocketsOpen() throws IOException {
        return clientSockets(Set.of(SYN_SENT, ESTABLISHED));
    }

    private int clientSockets(Set<String> states) throws IOException {
        return socketsTo(socket.getLocalPort(), states, fillerPorts);
    }

    /**
     * This machine's sockets to {@code listenerPort} in one of {@code states}, the kernel's
     * codes ({@link #SYN_SENT}, ...), but those from the local ports in {@code excluded}.
     */
    public static int socketsTo(int listenerPort, Set<String> states, Set<Integer> excluded)
            throws IOException {
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st ..., addresses as hex ADDRESS:PORT
                String[] fields = line.trim().split("\\s+");
                if (port(fields[2]) == listenerPort && states.contains(fields[3])
                        && !excluded.contains(port(fields[1]))) {
                    count++;
                }
            }
        }
        return count;
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
    }

    /**
     * Accepts from now on: the queue has room, and a connect under way is made. Each
     * connection that is not a filler is read to its end, and its bytes counted.
     */
    public void release() {
        Thread.ofPlatform().daemon().name("full-listener-accept").start(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket connection = socket.accept();
                    if (fillerPorts.contains(connection.getPort())) {
                        connection.close();
                        continue;
                    }
                    accepted.add(connection);
                    Thread.ofVirtual().start(() -> readToTheEnd(connection));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    private void readToTheEnd(Socket connection) {
        try (InputStream in = connection.getInputStream()) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.addAndGet(n);
            }
        } catch (IOException closedByUs) {
            return;
        }
        ended.incrementAndGet();
    }

    /** Connections from the client accepted since {@link #release()}. */
    public int accepted() {
        return accepted.size();
    }

    /** Of those, the ones the client closed. */
    public int ended() {
        return ended.get();
    }

    /** The bytes the client sent on them. */
    public long received() {
        return received.get();
    }

    @Override
    public void close() {
        try {
            for (SocketChannel filler : fillers) {
                filler.close();
            }
            if (socket != null) {
                socket.close();
            }
            for (Socket connection : accepted) {
                connection.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
