package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionSetUpTest {

    /**
     * From review: the connect and read timeouts a request's deadline cuts end at the
     * deadline or just past it, never before, so the exchange sees the deadline passed and
     * says "request took longer than": cut to whole milliseconds, a connect ended up to a
     * millisecond early and read "could not connect within 5000 ms" after --timeout's 300.
     */
    @Test
    void timeoutsCutByTheDeadlineEndNoEarlierThanIt() throws Exception {
        EngineOptions options = new EngineOptions(1, Duration.ofSeconds(5),
                Duration.ofMillis(300), Duration.ofSeconds(10), 1 << 20, 5,
                dev.bulkfetch.BodyHandlers.discarding(), false);
        long left = Duration.ofMillis(299).plusNanos(600_000).toNanos();
        HttpURLConnection conn = (HttpURLConnection) URI.create("http://127.0.0.1:1/")
                .toURL().openConnection(Proxy.NO_PROXY);

        ConnectionSetUp.timeouts(conn, options, left);

        assertThat(Duration.ofMillis(conn.getConnectTimeout()).toNanos())
                .isGreaterThanOrEqualTo(left);
        assertThat(Duration.ofMillis(conn.getReadTimeout()).toNanos())
                .isGreaterThanOrEqualTo(left);
        assertThat(conn.getConnectTimeout()).isLessThanOrEqualTo(301);
    }
}
