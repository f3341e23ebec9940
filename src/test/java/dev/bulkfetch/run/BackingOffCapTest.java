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

    private static void answer(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }
}
