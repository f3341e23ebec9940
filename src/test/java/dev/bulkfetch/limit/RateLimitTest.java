package dev.bulkfetch.limit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import dev.bulkfetch.mock.TokenBucket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --rate against a server that enforces its own limit with a token bucket. */
class RateLimitTest {

    @TempDir
    Path dir;

    private static WireMockServer limited(TokenBucket bucket) {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1")
                .dynamicPort().notifier(new Slf4jNotifier(false)).extensions(bucket));
        server.start();
        server.stubFor(get(urlPathMatching("/api/[0-9]+")).willReturn(aResponse()
                .withStatus(200).withBody("{}").withTransformers(TokenBucket.NAME)));
        return server;
    }

    private Path list(WireMockServer server, int n) {
        return TestServer.write(dir.resolve("api.txt"), IntStream.rangeClosed(1, n)
                .mapToObj(i -> "http://127.0.0.1:" + server.port() + "/api/" + i)
                .collect(Collectors.joining("\n", "", "\n")));
    }

    /**
     * A redirect's request is a request to the server: under --rate it takes a start of its
     * own. The engines follow redirects themselves, and each item of a list that redirected
     * once made two requests in the same slot: the server counted twice the rate.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(dev.bulkfetch.EngineKind.class)
    void redirectsTakeStartsOfTheirOwnUnderTheRate(dev.bulkfetch.EngineKind engine)
            throws Exception {
        // The server's limit is the rate: a burst of up to 40, then 40 a second.
        TokenBucket bucket = new TokenBucket(40, 40);
        WireMockServer server = limited(bucket);
        try {
            server.stubFor(get(urlPathMatching("/hop/[0-9]+")).willReturn(aResponse()
                    .withStatus(302).withHeader("Location", "/api/1")
                    .withTransformers(TokenBucket.NAME)));
            Path hops = TestServer.write(dir.resolve("hops.txt"), IntStream.rangeClosed(1, 40)
                    .mapToObj(i -> "http://127.0.0.1:" + server.port() + "/hop/" + i)
                    .collect(Collectors.joining("\n", "", "\n")));

            Cli.Result result = Cli.run("fetch", hops.toString(), "--rate", "40/s", "-c",
                    engine == dev.bulkfetch.EngineKind.SERIAL ? "1" : "16", "-q", "-e",
                    engine.cliName());

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(bucket.refused()).isZero();
            assertThat(bucket.arrivals()).isEqualTo(80);
            // Without the gate the server saw 79 or 80 in a second.
            assertThat(bucket.maxInAnySecond()).isLessThanOrEqualTo(atMostWithJitter(40));
        } finally {
            server.stop();
        }
    }

    /**
     * The most a server may count in a second from a client gated at {@code rate}: the gate is
     * exact on the client's own send times (RateGateTest), but a server counts arrivals, which a
     * busy test machine delays unevenly (client and server share this JVM and two cores): a
     * 100 ms stall of the server's threads lets the requests of 1.1 s fall in one second of its
     * count. Its token bucket, the limit a real server enforces, absorbs that and refuses none;
     * a client without the gate is counted at 1.5 times the rate (30 of a host's 30 items at
     * 20/s) to several times it, so 30% leaves a loaded machine room and still tells them apart.
     */
    private static int atMostWithJitter(int rate) {
        return (int) Math.ceil(rate * 1.3);
    }

    @Test
    void atTheServersRateNoRequestIsRefusedAndTheRateIsUsed() throws Exception {
        TokenBucket bucket = new TokenBucket(100, 100);
        WireMockServer server = limited(bucket);
        try {
            Path summary = dir.resolve("summary.json");
            Cli.Result result = Cli.run("fetch", list(server, 300).toString(), "--rate", "100/s",
                    "-c", "32", "-q", "--summary-json", summary.toString());

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(Records.parse(result.out())).hasSize(300);
            assertThat(bucket.refused()).isZero();
            assertThat(bucket.arrivals()).isEqualTo(300);
            assertThat(bucket.maxInAnySecond()).isLessThanOrEqualTo(atMostWithJitter(100));
            JsonNode s = Records.json(Files.readString(summary));
            assertThat(s.get("responses_429").asLong()).isZero();
            // 300 evenly spaced starts at 100/s (95 with the gate's slack) take about 3.1 s from
            // the first to the last: the rate is used, not undershot (at half of it, 6.3 s).
            assertThat(bucket.span()).isBetween(Duration.ofMillis(2_900),
                    Duration.ofMillis(5_000));
        } finally {
            server.stop();
        }
    }

    @Test
    void ratePerHostLimitsEachHostAndNotTheOthers() throws Exception {
        TokenBucket first = new TokenBucket(20, 20);
        TokenBucket second = new TokenBucket(20, 20);
        WireMockServer a = limited(first);
        WireMockServer b = limited(second);
        try {
            // Two hosts: the host name is the key, and both reach 127.0.0.1.
            String text = IntStream.rangeClosed(1, 60).mapToObj(i -> (i % 2 == 0
                    ? "http://127.0.0.1:" + a.port()
                    : "http://" + TestServer.OTHER_HOST + ":" + b.port())
                    + "/api/" + i)
                    .collect(Collectors.joining("\n", "", "\n"));
            Path list = TestServer.write(dir.resolve("two-hosts.txt"), text);

            Cli.Result result = Cli.run("fetch", list.toString(), "--rate-per-host", "20/s",
                    "-c", "16", "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(first.arrivals()).isEqualTo(30);
            assertThat(second.arrivals()).isEqualTo(30);
            assertThat(first.refused() + second.refused()).isZero();
            assertThat(first.maxInAnySecond()).isLessThanOrEqualTo(atMostWithJitter(20));
            assertThat(second.maxInAnySecond()).isLessThanOrEqualTo(atMostWithJitter(20));
            // 30 per host at 20/s each, side by side: about 1.5 s from the first arrival to
            // the last at each host, not the 3 s of one queue for both.
            assertThat(first.span()).isLessThan(Duration.ofMillis(2_300));
            assertThat(second.span()).isLessThan(Duration.ofMillis(2_300));
        } finally {
            a.stop();
            b.stop();
        }
    }

    /**
     * A list grouped by host under --rate-per-host: the first host's items took every -c slot
     * while they waited for that host's next start, so the second host's started only once
     * the first's were nearly all sent (all 40 records came first), and the run went at one
     * host's rate instead of two. (That each host keeps its rate is the test above's.)
     */
    @Test
    void ratePerHostDoesNotLetOneHostsWaitingItemsHoldUpTheNextHost() throws Exception {
        TokenBucket first = new TokenBucket(1000, 1000);
        TokenBucket second = new TokenBucket(1000, 1000);
        WireMockServer a = limited(first);
        WireMockServer b = limited(second);
        try {
            String text = java.util.stream.Stream.concat(
                    IntStream.rangeClosed(1, 40).mapToObj(i -> "127.0.0.1:" + a.port()
                            + "/api/" + i),
                    IntStream.rangeClosed(1, 10).mapToObj(i -> TestServer.OTHER_HOST + ":"
                            + b.port() + "/api/" + i))
                    .map(rest -> "http://" + rest)
                    .collect(Collectors.joining("\n", "", "\n"));
            Path list = TestServer.write(dir.resolve("grouped.txt"), text);

            Cli.Result result = Cli.run("fetch", list.toString(), "--rate-per-host", "10/s",
                    "-c", "8", "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            List<JsonNode> records = Records.parse(result.out());
            assertThat(records).hasSize(50);
            int lastSecond = 0;
            for (int i = 0; i < records.size(); i++) {
                if (records.get(i).get("url").asText().contains(":" + b.port() + "/")) {
                    lastSecond = i;
                }
            }
            // Side by side at 10/s each, the second host's ten end in about a second, when
            // about ten of the first host's forty have: not after thirty of them.
            assertThat(lastSecond - 9).as("first host's records before the second's last")
                    .isLessThanOrEqualTo(20);
            assertThat(first.arrivals()).isEqualTo(40);
            assertThat(second.arrivals()).isEqualTo(10);
        } finally {
            a.stop();
            b.stop();
        }
    }

    /**
     * Twice the server's rate: 429s halve the run's rate until the server stops refusing, and
     * retries (honouring Retry-After: 1) carry every item through. Bound held: at most 10% of
     * the items ever see a 429.
     */
    @Test
    void atTwiceTheServersRateEveryItemEndsOkAndFew429sArrive() throws Exception {
        TokenBucket bucket = new TokenBucket(25, 25);
        WireMockServer server = limited(bucket);
        try {
            Path summary = dir.resolve("summary.json");
            Cli.Result result = Cli.run("fetch", list(server, 200).toString(), "--rate", "50/s",
                    "-c", "16", "--retries", "5", "-q", "--summary-json", summary.toString());

            List<JsonNode> records = Records.parse(result.out());
            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(records).hasSize(200).allMatch(r -> r.get("ok").asBoolean());
            JsonNode s = Records.json(Files.readString(summary));
            assertThat(s.get("responses_429").asLong()).isEqualTo(bucket.refused())
                    .isLessThanOrEqualTo(20);
            assertThat(s.get("retries").asLong()).isEqualTo(bucket.refused());
            assertThat(s.get("rate_per_s_at_end").asDouble()).isLessThan(50);
        } finally {
            server.stop();
        }
    }

    /**
     * A server on 127.0.0.1 that answers its first {@code /ban} with 429 and
     * {@code Retry-After: 2}, noting when in {@code bannedAt}, and every other request with 200,
     * noting when it came in {@code arrivals}.
     */
    private static com.sun.net.httpserver.HttpServer banServer(List<Long> arrivals,
            java.util.concurrent.atomic.AtomicLong bannedAt) throws java.io.IOException {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            long now = System.nanoTime();
            boolean ban = exchange.getRequestURI().getPath().equals("/ban")
                    && bannedAt.compareAndSet(0, now);
            if (ban) {
                exchange.getResponseHeaders().add("Retry-After", "2");
            } else {
                arrivals.add(now);
            }
            exchange.sendResponseHeaders(ban ? 429 : 200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String base(com.sun.net.httpserver.HttpServer server) {
        return base(server, "127.0.0.1");
    }

    /** The server's base URL naming it {@code host}: the per-host key, whatever it reaches. */
    private static String base(com.sun.net.httpserver.HttpServer server, String host) {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    /**
     * A server that bans a client for a while after its limit answers 429 with Retry-After:
     * the run went on sending during the ban, each answered 429 again (and, with many APIs,
     * lengthening it). With --rate, nothing reaches the server until the ban is over.
     */
    @Test
    void withARateA429sRetryAfterHoldsTheWholeRunUntilItHasPassed() throws Exception {
        List<Long> arrivals = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicLong bannedAt = new java.util.concurrent.atomic
                .AtomicLong();
        com.sun.net.httpserver.HttpServer server = banServer(arrivals, bannedAt);
        try {
            String base = base(server);
            Path list = TestServer.write(dir.resolve("ban.txt"), base + "/ban\n"
                    + IntStream.rangeClosed(1, 12).mapToObj(i -> base + "/item/" + i)
                            .collect(Collectors.joining("\n")) + "\n");

            Cli.Result result = Cli.run("fetch", list.toString(), "--rate", "20/s", "-c", "4",
                    "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            long banEnds = bannedAt.get() + java.time.Duration.ofSeconds(2).toNanos();
            // Sent before the 429 came back (its answer takes a few ms; starts are 50 ms
            // apart), or after the ban: none in between.
            long answered = bannedAt.get() + java.time.Duration.ofMillis(30).toNanos();
            assertThat(arrivals).hasSize(13).allSatisfy(at ->
                    assertThat(at - answered < 0 || at - banEnds >= 0)
                            .as("arrival %d ms after the ban began",
                                    (at - bannedAt.get()) / 1_000_000).isTrue());
        } finally {
            server.stop(0);
        }
    }

    /**
     * From a backfill under cron: a Retry-After of up to an hour held the whole run, and
     * nothing on stderr (no terminal, so no progress line) said why it sat idle. A hold of 5 s
     * or more is said as it begins, once, however many items it answers: here one warm-up
     * item's Retry-After: 1 (too short to tell), then three items in flight together, answered
     * 429 with Retry-After: 5 at once (the server waits for all three). Not with -q. The run
     * does not wait the hold out: with --retries 0 nothing is left to send.
     */
    @Test
    void aRetryAfterHoldingTheRunIsSaidOnceWithItsHostAndWhenItEnds() throws Exception {
        for (boolean quiet : new boolean[] {false, true}) {
            java.util.concurrent.CountDownLatch allThree = new java.util.concurrent
                    .CountDownLatch(3);
            com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"),
                            0), 50);
            server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                boolean warmUp = exchange.getRequestURI().getPath().equals("/first");
                if (!warmUp) {
                    allThree.countDown();
                    try {
                        allThree.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                exchange.getResponseHeaders().add("Retry-After", warmUp ? "1" : "5");
                exchange.sendResponseHeaders(429, -1);
                exchange.close();
            });
            server.start();
            try {
                String base = base(server);
                Path list = TestServer.write(dir.resolve("held.txt"), base + "/first\n"
                        + IntStream.rangeClosed(1, 3).mapToObj(i -> base + "/held/" + i)
                                .collect(Collectors.joining("\n")) + "\n");

                Cli.Result result = Cli.run(quiet ? new String[] {"fetch", list.toString(),
                        "--rate", "100/s", "-c", "4", "--retries", "0", "-q"}
                        : new String[] {"fetch", list.toString(), "--rate", "100/s", "-c", "4",
                        "--retries", "0"});

                java.time.LocalTime ended = java.time.LocalTime.now();
                assertThat(Records.parse(result.out())).hasSize(4);
                assertThat(allThree.getCount()).as("the three in flight together").isZero();
                List<String> notes = result.err().lines()
                        .filter(line -> line.contains("asked to wait")).toList();
                if (quiet) {
                    assertThat(notes).as(result.err()).isEmpty();
                    continue;
                }
                assertThat(notes).as(result.err()).hasSize(1);
                java.util.regex.Matcher note = java.util.regex.Pattern.compile("bulkfetch fetch:"
                        + " the server at 127\\.0\\.0\\.1 asked to wait 5 s \\(a 429's"
                        + " Retry-After\\): the run sends nothing until (\\d\\d:\\d\\d:\\d\\d)")
                        .matcher(notes.getFirst());
                assertThat(note.matches()).as(notes.getFirst()).isTrue();
                // 5 s after it was said, a moment before the run ended: within a second or
                // two of 5 s after the end, to the second.
                long ahead = Math.floorMod(java.time.LocalTime.parse(note.group(1))
                        .toSecondOfDay() - ended.toSecondOfDay(), 86_400);
                assertThat(ahead).as(notes.getFirst() + ", ended at " + ended)
                        .isBetween(2L, 6L);
            } finally {
                server.stop(0);
            }
        }
    }

    /**
     * After review: paced per host, one host's ban held every host for its length (up to an
     * hour). Now only the host that asked waits; the other goes on at its own rate.
     */
    @Test
    void withARatePerHostOnlyTheHostThatAnswered429WaitsItsRetryAfter() throws Exception {
        List<Long> banning = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        List<Long> other = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicLong bannedAt = new java.util.concurrent.atomic
                .AtomicLong();
        java.util.concurrent.atomic.AtomicLong never = new java.util.concurrent.atomic
                .AtomicLong(-1);
        com.sun.net.httpserver.HttpServer a = banServer(banning, bannedAt);
        com.sun.net.httpserver.HttpServer b = banServer(other, never);
        try {
            StringBuilder lines = new StringBuilder(base(a) + "/ban\n");
            for (int i = 1; i <= 12; i++) {
                lines.append(base(a)).append("/item/").append(i).append('\n')
                        .append(base(b, TestServer.OTHER_HOST)).append("/item/").append(i)
                        .append('\n');
            }
            Path list = TestServer.write(dir.resolve("hosts.txt"), lines.toString());

            // A run's rate as well: the ban is still the one host's.
            Cli.Result result = Cli.run("fetch", list.toString(), "--rate", "200/s",
                    "--rate-per-host", "20/s", "-c", "8", "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            long answered = bannedAt.get() + java.time.Duration.ofMillis(30).toNanos();
            long banEnds = bannedAt.get() + java.time.Duration.ofSeconds(2).toNanos();
            assertThat(banning).hasSize(13).allSatisfy(at ->
                    assertThat(at - answered < 0 || at - banEnds >= 0).isTrue());
            assertThat(other).hasSize(12);
            assertThat(other).as("the other host during the ban")
                    .anySatisfy(at -> assertThat(at - answered > 0 && at - banEnds < 0)
                            .isTrue());
        } finally {
            a.stop(0);
            b.stop(0);
        }
    }
}
