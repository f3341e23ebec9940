package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.asynchttpclient.channel.ChannelPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The idle connections every engine keeps are capped across hosts; a connection leaves the
 * count when used or closed.
 */
class IdleCapTest {

    /** Keeps whatever it is offered, one queue for all keys: the cap is what is tested. */
    private static final class KeepAll implements ChannelPool {
        final Deque<Channel> kept = new ArrayDeque<>();

        @Override
        public boolean offer(Channel channel, Object partitionKey) {
            return kept.add(channel);
        }

        @Override
        public Channel poll(Object partitionKey) {
            return kept.poll();
        }

        @Override
        public boolean removeAll(Channel channel) {
            return kept.remove(channel);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void destroy() {
        }

        @Override
        public void flushPartitions(Predicate<Object> predicate) {
        }

        @Override
        public Map<String, Long> getIdleChannelCountPerHost() {
            return Map.of();
        }
    }

    /**
     * One idle connection per host touched, over thousands of hosts, ran a run out of open
     * files: past the cap an offer is refused, and AHC closes that connection.
     */
    @Test
    void offersPastTheCapAreRefusedAndUseOrCloseMakesRoom() {
        IdleCap cap = new IdleCap(new KeepAll(), 3);
        List<EmbeddedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            channels.add(new EmbeddedChannel());
        }

        List<Boolean> kept = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            kept.add(cap.offer(channels.get(i), "host-" + i));
        }
        assertThat(kept).containsExactly(true, true, true, false, false);
        assertThat(cap.idle()).isEqualTo(3);

        Channel reused = cap.poll("host-0");
        assertThat(cap.idle()).isEqualTo(2);
        assertThat(cap.offer(channels.get(3), "host-3")).isTrue();
        channels.get(1).close();
        assertThat(cap.idle()).isEqualTo(2);
        // Pooled again after its use: counted once, and its close still leaves the count.
        assertThat(cap.offer(reused, "host-0")).isTrue();
        assertThat(cap.idle()).isEqualTo(3);
        reused.close();
        assertThat(cap.idle()).isEqualTo(2);
    }

    /**
     * The JDK's cache cannot be asked, so the blocking engines estimate it: kept connections
     * count until the JDK has surely closed them (10 s, or the server's longer Keep-Alive), and
     * a request starting to a destination takes one of its own.
     */
    @Test
    void theJdkEstimateCountsKeptConnectionsUntilTakenOrExpired() {
        long[] now = {0};
        JdkIdleCap cap = new JdkIdleCap(3, () -> now[0]);
        java.net.URI a = java.net.URI.create("http://a.example/1");
        java.net.URI b = java.net.URI.create("http://B.example:80/2");
        java.net.URI c = java.net.URI.create("https://c.example/3");

        assertThat(cap.mayKeep(a, null)).isTrue();
        assertThat(cap.mayKeep(b, "timeout=60, max=100")).isTrue();
        assertThat(cap.mayKeep(c, null)).isTrue();
        assertThat(cap.mayKeep(a, null)).as("past the cap").isFalse();

        cap.taking(java.net.URI.create("http://b.example/other"));
        assertThat(cap.idle()).isEqualTo(2);
        assertThat(cap.mayKeep(a, null)).isTrue();
        cap.taking(java.net.URI.create("https://b.example/"));  // another destination
        assertThat(cap.idle()).isEqualTo(3);

        now[0] = java.util.concurrent.TimeUnit.SECONDS.toNanos(11);
        assertThat(cap.idle()).as("a's and c's 10 s are over").isZero();
        assertThat(cap.mayKeep(b, "timeout=60")).isTrue();
        now[0] = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        assertThat(cap.idle()).as("b's 60 s are not").isEqualTo(1);
    }

    /**
     * Every engine uses its cap: one request to each of 100 ports, one at a time, and the
     * servers see at most 64 connections left open (the cap at -c 1). AHC kept all 100, idle,
     * for a minute, and the JDK all 100 for 5 to 10 s.
     */
    @ParameterizedTest
    @EnumSource
    void noEngineKeepsMoreIdleConnectionsThanTheCap(dev.bulkfetch.EngineKind kind)
            throws Exception {
        java.util.concurrent.atomic.AtomicInteger open =
                new java.util.concurrent.atomic.AtomicInteger();
        List<java.net.ServerSocket> servers = new ArrayList<>();
        try (Engine engine = Engine.create(kind, EngineOptions.defaults(1))) {
            for (int i = 0; i < 100; i++) {
                java.net.ServerSocket server = new java.net.ServerSocket(0, 50,
                        java.net.InetAddress.getLoopbackAddress());
                servers.add(server);
                Thread.ofVirtual().start(() -> answerOkUntilClosed(server, open));
            }
            for (int i = 0; i < servers.size(); i++) {
                Outcome outcome = engine.send(dev.bulkfetch.FetchRequest.get(i + 1,
                        java.net.URI.create("http://127.0.0.1:" + servers.get(i).getLocalPort()
                                + "/"))).get(20, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(outcome.status()).isEqualTo(200);
            }

            // Sooner than the JDK closes idle connections itself (5 to 10 s), so this sees
            // the cap's doing, not the JDK's; a closed connection reaches its server in ms.
            assertThat(dev.bulkfetch.testing.Await.until(() -> open.get() <= 64,
                    java.time.Duration.ofSeconds(3))).as("open: %s", open).isTrue();
        } finally {
            for (java.net.ServerSocket server : servers) {
                server.close();
            }
        }
    }

    private static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Accepts connections on {@code server} and answers every request on each "ok". */
    private static void answerOkUntilClosed(java.net.ServerSocket server,
                                            java.util.concurrent.atomic.AtomicInteger open) {
        while (!server.isClosed()) {
            try {
                java.net.Socket socket = server.accept();
                open.incrementAndGet();
                Thread.ofVirtual().start(() -> {
                    try (socket; var in = new java.io.BufferedReader(
                            new java.io.InputStreamReader(socket.getInputStream(),
                                    java.nio.charset.StandardCharsets.US_ASCII))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            if (line.isEmpty()) {
                                socket.getOutputStream().write(OK);
                            }
                        }
                    } catch (java.io.IOException closed) {
                        // The client went: counted below.
                    } finally {
                        open.decrementAndGet();
                    }
                });
            } catch (java.io.IOException closed) {
                return;
            }
        }
    }
}
