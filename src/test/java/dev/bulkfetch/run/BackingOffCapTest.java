package dev.bulkfetch.run;

import static dev.bulkfetch.testing.RunParts.collecting;
import static dev.bulkfetch.testing.RunParts.item;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.input.InputItem;
import dev.bulkfetch.output.Tally;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Retries backing off give their places under the caps back, but each keeps its request: with
 * nothing else to bound them, a list answered {@code 503 Retry-After: 3600} throughout was read
 * whole into memory. At the cap on those backing off, the input waits.
 */
class BackingOffCapTest {

    /**
     * Cap 2 and {@code -c 1}: /ra/1 and /ra/2 are answered 503 with a Retry-After of 2 s, then
     * 200. Both backing off, the run reads no more, so /plain comes only once /ra/1's retry
     * has gone (it goes first, ahead of items not yet started); unbounded, /plain came while
     * both still waited. The server logs the order requests come in.
     */
    @Test
    void atTheCapOnRetriesBackingOffTheInputWaitsForOneToGo() throws Exception {
        List<String> arrived = Collections.synchronizedList(new ArrayList<>());
        Set<String> answered503 = Collections.synchronizedSet(new HashSet<>());
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            arrived.add(path);
            if (path.startsWith("/ra/") && answered503.add(path)) {
                exchange.getResponseHeaders().add("Retry-After", "2");
                answer(exchange, 503);
            } else {
                answer(exchange, 200);
            }
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        List<FetchResult> records = Collections.synchronizedList(new ArrayList<>());
        try (BulkRun run = new BulkRun(FetchConfig.builder().concurrency(1).build(), null,
                false, 2)) {
            List<InputItem> items = List.of(item(1, base + "/ra/1"), item(2, base + "/ra/2"),
                    item(3, base + "/plain"));
            run.run(items.iterator(), collecting(records), new Tally());
        } finally {
            server.stop(0);
        }

        assertThat(records).hasSize(3).allMatch(FetchResult::ok);
        int retryOfFirst = arrived.lastIndexOf("/ra/1");
        assertThat(arrived.indexOf("/ra/1")).as(arrived.toString()).isLessThan(retryOfFirst);
        assertThat(arrived.indexOf("/plain")).as("/plain after /ra/1's retry: " + arrived)
                .isGreaterThan(retryOfFirst);
    }

    /**
     * Cap 2, {@code -c 2}, {@code --per-host 1}; hosts 127.0.0.1 (A) and localhost (B, also
     * 127.0.0.1). A's /a and B's /b are answered 503 with a Retry-After of 1 s (/b only once
     * A's /hang has come, so /a's is the earlier), then 200. /a's retry, its wait over, waits
     * for A's place behind /hang, which the server holds until /n has come and /b's retry:
     * two retries held, so /n is not read until /b's retry has gone, and with B's one place
     * comes after it. Counting only retries still waiting out their backoff, the run read /n
     * when /a's wait was over and sent it to B before /b's retry.
     */
    @Test
    void aRetryWaitingForItsPlaceCountsTowardsTheCap() throws Exception {
        List<String> arrived = Collections.synchronizedList(new ArrayList<>());
        Set<String> answered503 = Collections.synchronizedSet(new HashSet<>());
        CountDownLatch hangCame = new CountDownLatch(1);
        CountDownLatch hangMayEnd = new CountDownLatch(2);  // /n, and /b's retry
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            arrived.add(path);
            try {
                if (path.equals("/hang")) {
                    hangCame.countDown();
                    // The bound only fails the test: /n and /b's retry come long before it.
                    hangMayEnd.await(20, TimeUnit.SECONDS);
                } else if (!path.equals("/n") && answered503.add(path)) {
                    if (path.equals("/b")) {
                        hangCame.await(20, TimeUnit.SECONDS);
                    }
                    exchange.getResponseHeaders().add("Retry-After", "1");
                    answer(exchange, 503);
                    return;
                } else if (path.equals("/n") || path.equals("/b")) {
                    hangMayEnd.countDown();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, 200);
        });
        server.start();
        int port = server.getAddress().getPort();
        String a = "http://127.0.0.1:" + port;
        String b = "http://localhost:" + port;
        List<FetchResult> records = Collections.synchronizedList(new ArrayList<>());
        try (BulkRun run = new BulkRun(FetchConfig.builder().concurrency(2).perHost(1).build(),
                null, false, 2)) {
            List<InputItem> items = List.of(item(1, b + "/b"), item(2, a + "/a"),
                    item(3, a + "/hang"), item(4, b + "/n"));
            run.run(items.iterator(), collecting(records), new Tally());
        } finally {
            server.stop(0);
            handlers.shutdownNow();
        }

        assertThat(records).hasSize(4).allMatch(FetchResult::ok);
        assertThat(arrived.indexOf("/n")).as("/n after /b's retry: " + arrived)
                .isGreaterThan(arrived.lastIndexOf("/b"));
    }

    private static void answer(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }
}
