package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.bulkfetch.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each builder setting takes effect, and a bad value is refused with the value named. */
class FetcherBuilderTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void configReportsWhatWasBuilt() {
        RetryPolicy retries = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50),
                Set.of(ErrorKind.TIMEOUT), Set.of(503));
        try (Fetcher fetcher = Fetcher.builder().engine(EngineKind.VIRTUAL).concurrency(7)
                .rate("20/s").perHost(3).retries(retries).connectTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(9)).idleTimeout(Duration.ofSeconds(4))
                .maxBodyBytes(1234).ordered(true).build()) {
            FetchConfig config = fetcher.config();
            assertThat(config.engine()).isEqualTo(EngineKind.VIRTUAL);
            assertThat(config.concurrency()).isEqualTo(7);
            assertThat(config.rate()).isEqualTo(Rate.parse("20/s"));
            assertThat(config.perHost()).isEqualTo(3);
            assertThat(config.retries()).isEqualTo(retries);
            assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(9));
            assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(4));
            assertThat(config.maxBodyBytes()).isEqualTo(1234);
            assertThat(config.ordered()).isTrue();
            assertThat(fetcher.fetch(server.request(1, "/ok/")).join().engine())
                    .isEqualTo("virtual");
        }
    }

    /**
     * The library could not reach the settings the command line has: no way to follow fewer
     * redirects, cap a host's rate, or fetch from a test server's self-signed certificate.
     */
    @Test
    void redirectsPerHostRateAndInsecureAreTheLibrarysToo() {
        WireMockServer tls = new WireMockServer(com.github.tomakehurst.wiremock.core
                .WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .dynamicHttpsPort().notifier(new com.github.tomakehurst.wiremock.common
                        .Slf4jNotifier(false)));
        tls.start();
        try {
            tls.stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(
                    com.github.tomakehurst.wiremock.client.WireMock.anyUrl()).willReturn(
                    com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200)));
            FetchRequest secure = FetchRequest.get(1, java.net.URI.create("https://127.0.0.1:"
                    + tls.httpsPort() + "/secure"));
            for (EngineKind engine : List.of(EngineKind.EVENT_LOOP, EngineKind.THREADS)) {
                try (Fetcher strict = Fetcher.builder().engine(engine)
                        .retries(RetryPolicy.NONE).build();
                     Fetcher insecure = Fetcher.builder().engine(engine).insecure(true)
                             .maxRedirects(0).ratePerHost("50/s").build()) {
                    assertThat(strict.fetch(secure).join().error().kind())
                            .isEqualTo(ErrorKind.CONNECT);
                    assertThat(insecure.fetch(secure).join().ok()).as(engine.cliName()).isTrue();
                    assertThat(insecure.config().insecure()).isTrue();
                    assertThat(insecure.config().maxRedirects()).isZero();
                    assertThat(insecure.config().ratePerHost()).isEqualTo(Rate.parse("50/s"));
                    FetchResult redirected = insecure.fetch(server.request(2, "/redirect/"))
                            .join();
                    // Not followed: the redirect itself is the answer.
                    assertThat(redirected.status()).isEqualTo(302);
                }
            }
        } finally {
            tls.stop();
        }
    }

    /**
     * A program that keeps its rates as {@link Rate}s (made once, checked once) hands them
     * over as they are, not written out as text to be parsed again; null is no rate, as a
     * null text is.
     */
    @Test
    void ratesAreTakenAsRatesToo() {
        Rate twenty = new Rate(20, Duration.ofSeconds(1));
        Rate fiftyAMinute = Rate.parse("50/min");
        try (Fetcher fetcher = Fetcher.builder().rate(twenty).ratePerHost(fiftyAMinute)
                .build()) {
            assertThat(fetcher.config().rate()).isEqualTo(twenty);
            assertThat(fetcher.config().ratePerHost()).isEqualTo(fiftyAMinute);
            assertThat(fetcher.fetch(server.request(1, "/ok/")).join().ok()).isTrue();
        }
        try (Fetcher fetcher = Fetcher.builder().rate("20/s").ratePerHost("50/min")
                .rate((Rate) null).ratePerHost((Rate) null).build()) {
            assertThat(fetcher.config().rate()).isNull();
            assertThat(fetcher.config().ratePerHost()).isNull();
        }
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        try (Fetcher fetcher = Fetcher.builder().build()) {
            FetchConfig config = fetcher.config();
            assertThat(config.engine()).isEqualTo(EngineKind.EVENT_LOOP);
            assertThat(config.concurrency()).isEqualTo(FetchConfig.DEFAULT_CONCURRENCY);
            assertThat(config.rate()).isNull();
            assertThat(config.perHost()).isZero();
            assertThat(config.retries()).isEqualTo(RetryPolicy.defaults());
            // The default body handler keeps the whole body as bytes.
            assertThat(fetcher.fetch(server.request(1, "/ok/")).join().body(byte[].class))
                    .asString().isEqualTo("{\"ok\":true}");
        }
    }

    @Test
    void aPerHostCapHoldsBelowTheConcurrency() {
        server.counter().reset();
        try (Fetcher fetcher = Fetcher.builder().concurrency(10).perHost(2).build()) {
            List<FetchResult> results = fetcher.fetchAll(
                    LongStream.rangeClosed(1, 12).mapToObj(n -> server.request(n, "/held/"))
                            .toList())
                    .join();
            assertThat(results).allMatch(FetchResult::ok);
        }
        assertThat(server.counter().peak()).isEqualTo(2);
    }

    @Test
    void retriesFollowThePolicyGiven() {
        RetryPolicy twiceOn500 = new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(10),
                Set.of(), Set.of(500));
        try (Fetcher retrying = Fetcher.builder().retries(twiceOn500).build();
             Fetcher once = Fetcher.builder().retries(RetryPolicy.NONE).build()) {
            FetchResult retried = retrying.fetch(server.request(1, "/status/500/")).join();
            assertThat(retried.status()).isEqualTo(500);
            assertThat(retried.attempts()).isEqualTo(3);
            assertThat(once.fetch(server.request(2, "/status/500/")).join().attempts())
                    .isEqualTo(1);
        }
    }

    @Test
    void aRequestTimeoutEndsAHangingRequestAsTimeout() {
        // The idle timeout (10 s by default) would end the silent request too: set past the
        // bound below, only the request timeout can have ended it.
        try (Fetcher fetcher = Fetcher.builder().retries(RetryPolicy.NONE)
                .requestTimeout(Duration.ofMillis(300)).idleTimeout(Duration.ofSeconds(60))
                .closeGrace(Duration.ZERO).build()) {
            FetchResult result = fetcher.fetch(server.request(1, "/hang/")).join();
            assertThat(result.error().kind()).isEqualTo(ErrorKind.TIMEOUT);
            // The stub holds its answer 60 s.
            assertThat(Duration.ofNanos(result.latencyNanos())).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aBodyOverTheMaximumEndsAsTooLarge() {
        try (Fetcher fetcher = Fetcher.builder().maxBodyBytes(1_000).build()) {
            FetchResult result = fetcher.fetch(server.request(1, "/bytes/")).join();
            assertThat(result.error().kind()).isEqualTo(ErrorKind.TOO_LARGE);
            assertThat(result.body()).isNull();
        }
    }

    @Test
    void aStreamFromAnIteratorGivesOneResultPerRequest() {
        try (Fetcher fetcher = Fetcher.builder().concurrency(4).build()) {
            var requests = LongStream.rangeClosed(1, 25)
                    .mapToObj(n -> server.request(n, "/ok/")).iterator();
            List<FetchResult> results = fetcher.stream(requests).toList();
            assertThat(results).extracting(FetchResult::seq)
                    .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 25).boxed()
                            .toList());
            assertThat(results).allMatch(FetchResult::ok);
        }
    }

    @Test
    void everySetterNamesTheBadValue() {
        Fetcher.Builder builder = Fetcher.builder();
        assertThatThrownBy(() -> builder.concurrency(0)).hasMessageContaining("concurrency")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> builder.rate("fast")).hasMessageContaining("'fast'");
        assertThatThrownBy(() -> builder.perHost(-2))
                .hasMessage("per-host cap must be 0 (no cap) or more: -2");
        assertThatThrownBy(() -> builder.maxBodyBytes(-5)).hasMessageContaining("-5");
        assertThatThrownBy(() -> builder.maxRedirects(101)).hasMessageContaining("101");
        assertThatThrownBy(() -> builder.ratePerHost("often")).hasMessageContaining("'often'");
        assertThatThrownBy(() -> builder.requestTimeout(Duration.ZERO))
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> builder.connectTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> builder.closeGrace(Duration.ofSeconds(-1)))
                .hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> new RetryPolicy(101, Duration.ofMillis(1), Duration.ofMillis(1),
                Set.of(), Set.of())).hasMessageContaining("101");
        assertThatThrownBy(() -> builder.requestTimeout(Duration.ZERO))
                .hasMessageContaining("request timeout");
    }

    /**
     * The serial engine sends one request at a time: a concurrency of 200 beside it was taken
     * and run at 1, without a word. Left unset, or set to 1, it is the serial engine's.
     */
    @Test
    void aConcurrencyOtherThanOneBesideTheSerialEngineIsRefused() {
        assertThatThrownBy(() -> Fetcher.builder().engine(EngineKind.SERIAL).concurrency(200)
                .build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("concurrency 200").hasMessageContaining("serial");
        assertThatThrownBy(() -> FetchConfig.builder().concurrency(8).engine(EngineKind.SERIAL)
                .build()).hasMessageContaining("concurrency 8");
        assertThat(FetchConfig.builder().engine(EngineKind.SERIAL).build().concurrency())
                .isEqualTo(1);
        assertThat(FetchConfig.builder().engine(EngineKind.SERIAL).concurrency(1).build()
                .concurrency()).isEqualTo(1);
        // A base's concurrency is no choice made beside the serial engine (from review).
        FetchConfig base = FetchConfig.builder().concurrency(32).build();
        assertThat(FetchConfig.builder().concurrency(8).from(base).engine(EngineKind.SERIAL)
                .build().concurrency()).isEqualTo(1);
    }

    /**
     * "No limit" written as the longest Duration: each passed the builder and then failed
     * every item (long overflow in the engines' nanoseconds), or build(), or close().
     */
    @Test
    void aDurationLongerThanADayIsRefusedByItsSetter() {
        Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
        Fetcher.Builder builder = Fetcher.builder();
        assertThatThrownBy(() -> builder.requestTimeout(forever))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("request timeout")
                .hasMessageContaining("at most 1 day");
        assertThatThrownBy(() -> builder.connectTimeout(forever))
                .hasMessageContaining("connect timeout");
        assertThatThrownBy(() -> builder.idleTimeout(forever))
                .hasMessageContaining("idle timeout");
        assertThatThrownBy(() -> builder.closeGrace(forever))
                .hasMessageContaining("close grace");
        assertThatThrownBy(() -> new RetryPolicy(2, Duration.ofMillis(1), forever, Set.of(),
                Set.of())).hasMessageContaining("backoff");
        assertThat(builder.requestTimeout(Duration.ofDays(1))).isNotNull();
    }

    /** A null argument is named, not met later as the JDK's "because text is null". */
    @Test
    void aNullArgumentIsNamed() {
        assertThatThrownBy(() -> Rate.parse(null)).hasMessage("rate");
        assertThatThrownBy(() -> new Rate(1, null)).hasMessage("period");
        assertThatThrownBy(() -> EngineKind.fromName(null)).hasMessage("name");
        assertThatThrownBy(() -> RetryPolicy.defaults().withRetryOn(null)).hasMessage("list");
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        headers.put(null, "v");
        assertThatThrownBy(() -> new FetchRequest(1, null, java.net.URI.create(
                "http://h.test/"), "GET", headers, null)).hasMessage("a header name");
        try (Fetcher fetcher = Fetcher.builder().build()) {
            assertThatThrownBy(() -> fetcher.fetchAll(null)).hasMessage("requests");
            assertThatThrownBy(() -> fetcher.publisher(null)).hasMessage("requests");
        }
        assertThatThrownBy(() -> FetchConfig.builder().from(null)).hasMessage("base");
        // As every other setter's null: it threw IllegalArgumentException (from review).
        assertThatThrownBy(() -> Fetcher.builder().closeGrace(null))
                .isInstanceOf(NullPointerException.class).hasMessage("close grace");
        FetchResult result = new FetchResult(1, "1", "http://h.test/", "GET", 200, null, 1, 0,
                0, "serial", null, null);
        assertThatThrownBy(() -> result.body(null)).hasMessage("type");
    }

    /**
     * A header for every request, as the CLI's -H: a scraping job's User-Agent or an API's key
     * had to be put on each request by hand (library exploratory test). A request's own header
     * of the name, in any case, is sent instead; every engine sends the same.
     */
    @Test
    void theFetchersHeadersGoWithEveryRequestThatGivesNoneOfTheName() {
        for (EngineKind engine : EngineKind.values()) {
            server.wireMock().resetRequests();
            try (Fetcher fetcher = Fetcher.builder().engine(engine).concurrency(1)
                    .header("User-Agent", " crawler/2 ").header("X-Key", "k1").build()) {
                FetchRequest plain = server.request(1, "/ok/");
                FetchRequest own = FetchRequest.builder(2, server.request(2, "/ok/").url())
                        .header("x-key", "mine").build();
                assertThat(fetcher.fetch(plain).join().ok()).isTrue();
                assertThat(fetcher.fetch(own).join().ok()).isTrue();

                var sent = server.wireMock().getAllServeEvents().stream()
                        .map(e -> e.getRequest()).filter(r -> r.getUrl().startsWith("/ok/"))
                        .toList();
                var first = sent.stream().filter(r -> r.getUrl().equals("/ok/1")).findFirst()
                        .orElseThrow();
                var second = sent.stream().filter(r -> r.getUrl().equals("/ok/2")).findFirst()
                        .orElseThrow();
                assertThat(first.getHeader("User-Agent")).as(engine.cliName())
                        .isEqualTo("crawler/2");
                assertThat(first.getHeader("X-Key")).as(engine.cliName()).isEqualTo("k1");
                assertThat(second.getHeader("User-Agent")).isEqualTo("crawler/2");
                assertThat(second.getHeaders().getHeader("X-Key").values()).as(engine.cliName())
                        .containsExactly("mine");
            }
        }
        assertThatThrownBy(() -> Fetcher.builder().header("X-A", "1").header("x-a", "2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"x-a\" is given twice, also as \"X-A\"");
        assertThatThrownBy(() -> Fetcher.builder().header("X-A", "1\r\nX-B: 2"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fetcher.builder().header("Content-Length", "3"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The API holds nothing only the command line can use: every setting of FetchConfig's
     * builder is one a library user can set on a Fetcher too (saving bodies to a folder and
     * putting them into records were FetchConfig's, and nothing but the CLI's run read them).
     */
    @Test
    void everyConfigSettingIsOneTheFetcherBuilderHas() {
        Set<String> fetcher = java.util.Arrays.stream(Fetcher.Builder.class.getMethods())
                .map(java.lang.reflect.Method::getName)
                .collect(java.util.stream.Collectors.toSet());
        List<String> config = java.util.Arrays.stream(FetchConfig.Builder.class.getMethods())
                .filter(m -> m.getDeclaringClass() == FetchConfig.Builder.class)
                .map(java.lang.reflect.Method::getName)
                .filter(name -> !name.equals("from")).toList();
        assertThat(config).contains("engine", "rate", "bodyHandler", "build");
        assertThat(fetcher).containsAll(config);
    }
}
