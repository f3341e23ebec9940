package dev.bulkfetch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A listener on 127.0.0.1 that never accepts, its queue filled: Linux drops further SYNs, so a
 * connect to it waits until the client gives up. For connect timeouts without a network.
 */
public final class FullListener implements AutoCloseable {

    private final ServerSocket socket;
    private final List<SocketChannel> fillers = new ArrayList<>();

    public FullListener() {
        try {
            socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            for (int i = 0; i < 8; i++) {
                SocketChannel filler = SocketChannel.open();
                filler.configureBlocking(false);
                filler.connect(socket.getLocalSocketAddress());
                fillers.add(filler);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
