package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.Await;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.asynchttpclient.channel.ChannelPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The idle connections every engine keeps are capped across hosts; a host in steady use keeps
 * its own however many others come and go.
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
     * files: past the cap the connection pooled longest ago is closed, never the newest, so a
     * connection in steady use is not the one to go.
     */
    @Test
    void pastTheCapTheConnectionPooledLongestAgoIsClosed() {
        KeepAll pool = new KeepAll();
        IdleCap cap = new IdleCap(pool, 3);
        List<EmbeddedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            channels.add(new EmbeddedChannel());
        }

        for (int i = 0; i < 5; i++) {
            assertThat(cap.offer(channels.get(i), "host-" + i)).isTrue();
        }
        assertThat(cap.idle()).isEqualTo(3);
        assertThat(channels).extracting(Channel::isOpen)
                .containsExactly(false, false, true, true, true);
        assertThat(pool.kept).containsExactly(channels.get(2), channels.get(3),
                channels.get(4));

        // In use, then pooled again: the newest, so the next offer closes another.
        Channel reused = cap.poll("host-2");
        assertThat(cap.idle()).isEqualTo(2);
        assertThat(cap.offer(reused, "host-2")).isTrue();
        EmbeddedChannel next = new EmbeddedChannel();
        assertThat(cap.offer(next, "host-5")).isTrue();
        assertThat(reused.isOpen()).isTrue();
        assertThat(channels.get(3).isOpen()).isFalse();
        // A close leaves the count.
        reused.close();
        assertThat(cap.idle()).isEqualTo(2);
    }

    private static final URI A = URI.create("http://a.example/1");
    private static final URI B = URI.create("http://B.example:80/2");
    private static final URI C = URI.create("https://c.example/3");
    private static final URI D = URI.create("http://d.example/4");

    /**
     * The JDK's cache can be neither asked nor told to drop another host's connection, so the
     * blocking engines count: a request to a destination with a connection counted holds its
     * slot while in flight, and its connection comes back to it, whoever came meanwhile.
     */
    @Test
    void theJdkEstimateKeepsASlotForTheRequestThatTookIt() {
        long[] now = {0};
        JdkIdleCap cap = new JdkIdleCap(3, () -> now[0]);

        assertThat(cap.mayKeep(A, null, null, false)).isTrue();
        assertThat(cap.mayKeep(B, null, null, false)).isTrue();
        assertThat(cap.mayKeep(C, null, null, false)).isTrue();
        assertThat(cap.mayKeep(D, null, null, false)).as("past the cap").isFalse();
        assertThat(cap.full()).isTrue();

        assertThat(cap.taking(URI.create("http://b.example/other"))).isTrue();
        assertThat(cap.idle()).isEqualTo(2);
        assertThat(cap.mayKeep(D, null, null, false)).as("b's slot is held").isFalse();
        assertThat(cap.mayKeep(B, null, null, true)).as("b's connection takes it back")
                .isTrue();
        assertThat(cap.idle()).isEqualTo(3);
        assertThat(cap.taking(URI.create("https://b.example/"))).as("another destination")
                .isFalse();

        // A request that keeps no connection (it failed) frees its slot.
        assertThat(cap.taking(A)).isTrue();
        cap.release(A);
        assertThat(cap.full()).isFalse();
        assertThat(cap.mayKeep(D, null, null, false)).isTrue();

        now[0] = TimeUnit.SECONDS.toNanos(11);
        assertThat(cap.idle()).as("the 10 s the JDK may keep them are over").isZero();
        assertThat(cap.full()).isFalse();
    }

    /**
     * A server's long Keep-Alive keeps its own count, not every other one's: counts expire in
     * the order of their times, whatever the order they were kept in.
     */
    @Test
    void aLongKeepAliveHoldsOnlyItsOwnDestinationsCount() {
        long[] now = {0};
        JdkIdleCap cap = new JdkIdleCap(3, () -> now[0]);
        assertThat(cap.mayKeep(A, "keep-alive", "timeout=3600", false)).isTrue();
        assertThat(cap.mayKeep(B, null, null, false)).isTrue();
        assertThat(cap.mayKeep(C, null, null, false)).isTrue();

        now[0] = TimeUnit.SECONDS.toNanos(11);
        assertThat(cap.idle()).isEqualTo(1);
        assertThat(cap.mayKeep(D, null, null, false)).isTrue();
        // b kept again at 11 s counts until 21 s, not 10 s.
        assertThat(cap.mayKeep(B, null, null, false)).isTrue();
        now[0] = TimeUnit.SECONDS.toNanos(20);
        assertThat(cap.idle()).isEqualTo(3);
        now[0] = TimeUnit.SECONDS.toNanos(22);
        assertThat(cap.idle()).isEqualTo(1);
    }

    /**
     * A timeout no server means (10^10 s) overflowed the count's clock and kept every count
     * from expiring, so the cap read full for the rest of the run; one given without
     * {@code Connection: keep-alive} the JDK ignores, and so does the count.
     */
    @Test
    void aKeepAliveTimeoutIsBelievedOnlyAsTheJdkDoesAndUpToAnHour() {
        long[] now = {0};
        JdkIdleCap cap = new JdkIdleCap(3, () -> now[0]);
        assertThat(cap.mayKeep(A, "keep-alive", "timeout=10000000000", false)).isTrue();
        assertThat(cap.mayKeep(B, null, "timeout=3600", false)).isTrue();
        assertThat(cap.mayKeep(C, null, null, false)).isTrue();

        now[0] = TimeUnit.SECONDS.toNanos(11);
        assertThat(cap.idle()).as("b's and c's 10 s are over").isEqualTo(1);
        now[0] = TimeUnit.MINUTES.toNanos(61);
        assertThat(cap.idle()).as("a's hour is over").isZero();
    }

    /**
     * Each kept connection expires on its own: after a burst of four to one host, one request
     * now and then kept all four counted for good, and the cap read full with one open.
     */
    @Test
    void aBurstsSurplusExpiresWhileTheHostStaysInUse() {
        long[] now = {0};
        JdkIdleCap cap = new JdkIdleCap(4, () -> now[0]);
        for (int i = 0; i < 4; i++) {
            assertThat(cap.mayKeep(A, null, null, false)).isTrue();
        }
        for (int second = 2; second <= 30; second += 2) {
            now[0] = TimeUnit.SECONDS.toNanos(second);
            assertThat(cap.taking(A)).isTrue();
            assertThat(cap.mayKeep(A, null, null, true)).isTrue();
        }
        assertThat(cap.idle()).isEqualTo(1);
        assertThat(cap.full()).isFalse();
    }

    static Stream<Arguments> enginesAndMethods() {
        return Stream.of(EngineKind.values()).flatMap(kind ->
                Stream.of(Arguments.of(kind, "GET"), Arguments.of(kind, "HEAD")));
    }

    /**
     * Every engine uses its cap: one request to each of 100 ports, one at a time, and the
     * servers see at most 64 connections left open (the cap at -c 1). AHC kept all 100, idle,
     * for a minute, and the JDK all 100 for 5 to 10 s; a HEAD's connection (no body to end
     * first) is back in the JDK's cache before it can be closed, so it is asked to close.
     */
    @ParameterizedTest
    @MethodSource("enginesAndMethods")
    void noEngineKeepsMoreIdleConnectionsThanTheCap(EngineKind kind, String method)
            throws Exception {
        List<OkServer> servers = new ArrayList<>();
        AtomicInteger open = new AtomicInteger();
        try (Engine engine = Engine.create(kind, EngineOptions.defaults(1))) {
            for (int i = 0; i < 100; i++) {
                servers.add(new OkServer(open));
            }
            for (int i = 0; i < servers.size(); i++) {
                Outcome outcome = engine.send(new FetchRequest(i + 1, null,
                        servers.get(i).url(), method, Map.of(), null))
                        .get(20, TimeUnit.SECONDS);
                assertThat(outcome.status()).isEqualTo(200);
            }

            // Sooner than the JDK closes idle connections itself (5 to 10 s), so this sees
            // the cap's doing, not the JDK's; a closed connection reaches its server in ms.
            assertThat(Await.until(() -> open.get() <= 64, Duration.ofSeconds(3)))
                    .as("open: %s", open).isTrue();
        } finally {
            for (OkServer server : servers) {
                server.close();
            }
        }
    }

    /**
     * A host in steady use, then 199 one-off hosts, each request to one of them sent beside
     * one to the busy host: the busy host keeps its connections. Closing the newest past the
     * cap had it open a new connection for nearly every request once the cap was full.
     */
    @ParameterizedTest
    @EnumSource
    void aHostInSteadyUseKeepsItsConnectionsWhileOneOffHostsComeAndGo(EngineKind kind)
            throws Exception {
        AtomicInteger open = new AtomicInteger();
        List<OkServer> servers = new ArrayList<>();
        int concurrency = kind == EngineKind.SERIAL ? 1 : 8;
        try (OkServer busy = new OkServer(new AtomicInteger());
             Engine engine = Engine.create(kind, EngineOptions.defaults(concurrency))) {
            List<CompletableFuture<Outcome>> warm = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                warm.add(engine.send(FetchRequest.get(i + 1, busy.url())));
            }
            for (CompletableFuture<Outcome> each : warm) {
                assertThat(each.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
            for (int i = 0; i < 199; i++) {
                OkServer oneOff = new OkServer(open);
                servers.add(oneOff);
                CompletableFuture<Outcome> there = engine.send(FetchRequest.get(i + 1,
                        oneOff.url()));
                CompletableFuture<Outcome> again = engine.send(FetchRequest.get(i + 1,
                        busy.url()));
                assertThat(there.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
                assertThat(again.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
            }

            assertThat(busy.accepted()).isLessThanOrEqualTo(concurrency + 1);
        } finally {
            for (OkServer server : servers) {
                server.close();
            }
        }
    }

    /**
     * Answers every request on each connection "ok" (no body to a HEAD), closing after one
     * that asks it to; counts connections open, shared, and accepted, its own.
     */
    private static final class OkServer implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger open;
        private final AtomicInteger accepted = new AtomicInteger();

        OkServer(AtomicInteger open) throws IOException {
            this.open = open;
            this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::acceptUntilClosed);
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
        }

        int accepted() {
            return accepted.get();
        }

        private void acceptUntilClosed() {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    accepted.incrementAndGet();
                    open.incrementAndGet();
                    Thread.ofVirtual().start(() -> answer(client));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void answer(Socket client) {
            try (client; BufferedReader in = new BufferedReader(new InputStreamReader(
                    client.getInputStream(), StandardCharsets.US_ASCII))) {
                String line;
                boolean head = false;
                boolean close = false;
                boolean first = true;
                while ((line = in.readLine()) != null) {
                    if (first) {
                        head = line.startsWith("HEAD ");
                        first = false;
                    } else if (line.toLowerCase(Locale.ROOT).equals("connection: close")) {
                        close = true;
                    } else if (line.isEmpty()) {
                        client.getOutputStream().write(("HTTP/1.1 200 OK\r\n"
                                + (close ? "Connection: close\r\n" : "")
                                + "Content-Length: 2\r\n\r\n" + (head ? "" : "ok"))
                                .getBytes(StandardCharsets.US_ASCII));
                        if (close) {
                            return;
                        }
                        first = true;
                        close = false;
                    }
                }
            } catch (IOException closed) {
                // The client went: counted below.
            } finally {
                open.decrementAndGet();
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
