package dev.bulkfetch.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The tests' raw servers' accept loop: each connection counted, then answered on a thread of
 * its own.
 */
final class AcceptLoop {

    private AcceptLoop() {
    }

    /** Accepts on {@code socket} until it closes, each connection answered on {@code threads}. */
    static void run(ServerSocket socket, ExecutorService threads, AtomicInteger connections,
                    Consumer<Socket> answer) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                connections.incrementAndGet();
                threads.execute(() -> answer.accept(client));
            } catch (IOException e) {
                return;
            }
        }
    }
}
