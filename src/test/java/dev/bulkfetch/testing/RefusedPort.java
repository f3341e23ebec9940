package dev.bulkfetch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A port on 127.0.0.1 that refuses every connection for as long as this is open: a socket
 * bound to it that neither listens nor connects. Linux answers a SYN to a port with no
 * listener with a reset (ECONNREFUSED), and no other socket can bind the port while this one
 * holds it. A port found free by opening and closing a listener could be taken by another
 * process before the test connected, which would then answer instead of refusing.
 */
public final class RefusedPort implements AutoCloseable {

    private final Socket held = new Socket();

    public RefusedPort() {
        try {
            held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return held.getLocalPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() {
        try {
            held.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
