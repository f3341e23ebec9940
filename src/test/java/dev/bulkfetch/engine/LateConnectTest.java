package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A connection that comes after its request timed out, on the event loop. AHC (3.0.1) failed
 * on it with a NullPointerException ("timeoutsHolder is null", NettyConnectListener.onSuccess)
 * that Netty's DefaultPromise printed with its stack trace on the user's stderr, and left the
 * connection open, owned by no request, until the engine closed. Now the exchange's handler
 * refuses the late connection, and AHC closes it.
 *
 * <p>The connect is made late for sure, not by a race: the server's accept queue is full (a
 * backlog of one, two connections never accepted), so Linux drops the client's SYN, and the
 * connection is made only when the test frees the queue, after the timeout's record, as the
 * client sends its SYN again.
 */
class LateConnectTest {

    @Test
    void aConnectionMadeAfterItsRequestTimedOutIsClosedNotLeftOpen() throws Exception {
        // Where Netty (on java.util.logging, as the CLI sets it) printed AHC's exception.
        Logger promises = Logger.getLogger("io.netty.util.concurrent.DefaultPromise");
        Noted warnings = new Noted();
        promises.addHandler(warnings);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket filler1 = new Socket();
             Socket filler2 = new Socket();
             Engine engine = Engine.create(EngineKind.EVENT_LOOP, new EngineOptions(8,
                     Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(30),
                     10_000, 3, null, false))) {
            InetSocketAddress address = (InetSocketAddress) server.getLocalSocketAddress();
            filler1.connect(address);
            filler2.connect(address);

            Outcome timedOut = engine.send(FetchRequest.get(1, URI.create("http://127.0.0.1:"
                    + server.getLocalPort() + "/"))).get(30, TimeUnit.SECONDS);

            assertThat(timedOut.error().kind()).as(timedOut.error().message())
                    .isEqualTo(ErrorKind.TIMEOUT);
            // A bound on a failing test, not a wait: each call returns as soon as it can.
            server.setSoTimeout(10_000);
            server.accept().close();
            server.accept().close();
            try (Socket late = server.accept()) {  // the engine's, once its SYN comes again
                late.setSoTimeout(10_000);
                InputStream in = late.getInputStream();
                assertThat(in.read()).as("the late connection is closed by the client")
                        .isEqualTo(-1);
            }
        } finally {
            promises.removeHandler(warnings);
        }
        assertThat(warnings.records).as("Netty's warnings of a listener that threw").isEmpty();
    }

    /** The records a logger was given. */
    private static final class Noted extends Handler {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
