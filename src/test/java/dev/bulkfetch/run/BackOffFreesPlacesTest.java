package dev.bulkfetch.run;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.Fetcher;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.InFlightCounter;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * From an exploratory test: an item waiting out a retry's backoff kept its place under
 * {@code -c} and {@code --per-host}, so {@code -c N} and N items answered
 * {@code 503 Retry-After: 3600} froze the run, every host, for an hour. The caps bound requests
 * in flight; one backing off is not, and gives its places back until its retry goes.
 */
class BackOffFreesPlacesTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @TempDir
    Path dir;

    private static final String BUSY_FOR_AN_HOUR = "HTTP/1.1 503 Service Unavailable\r\n"
            + "Retry-After: 3600\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL"})
    void anItemBackingOffForAnHourLeavesItsConcurrencySlotToTheNext(EngineKind engine)
            throws Exception {
        assertTheNextGoesWhileTheFirstBacksOff(Fetcher.builder().engine(engine).concurrency(1));
    }

    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL"})
    void anItemBackingOffForAnHourLeavesItsHostSlotToTheNext(EngineKind engine)
            throws Exception {
        // Both servers are 127.0.0.1: one host to --per-host, whatever the ports.
        assertTheNextGoesWhileTheFirstBacksOff(Fetcher.builder().engine(engine).concurrency(8)
                .perHost(1));
    }

    /**
     * The first item is answered 503 with an hour's Retry-After; the second, queued behind it
     * by the cap, must be answered long before that. The bound only fails the test: nothing
     * waits on it when the slot is given back.
     */
    private static void assertTheNextGoesWhileTheFirstBacksOff(Fetcher.Builder builder)
            throws Exception {
        try (RawServer busy = RawServer.answering(BUSY_FOR_AN_HOUR);
             Fetcher fetcher = builder.closeGrace(Duration.ofMillis(100)).build()) {
            CompletableFuture<FetchResult> first = fetcher.fetch(
                    FetchRequest.get(1, URI.create(busy.url("/ra"))));
            CompletableFuture<FetchResult> next = fetcher.fetch(server.request(2, "/ok/"));

            FetchResult result = next.orTimeout(20, TimeUnit.SECONDS).join();

            assertThat(result.ok()).isTrue();
            assertThat(busy.requests()).as("the first was answered 503 and backs off")
                    .isEqualTo(1);
            assertThat(first).as("the first waits out its hour").isNotDone();
        }
    }

    /**
     * Giving places back must not let retries past the caps: each retry takes its places
     * again before it goes. Every item is answered 503 once, then 200; the server counts the
     * requests it holds at once.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "event-loop, -c 3, 3", "virtual, -c 3, 3",
        "event-loop, -c 8 --per-host 2, 2", "virtual, -c 8 --per-host 2, 2",
        "event-loop, -c 3 --ordered, 3",
    })
    void retriesNeverTakeTheRunPastItsCaps(String engine, String caps, int cap) {
        server.wireMock().resetScenarios();
        server.counter().reset();
        int items = 30;
        StringBuilder list = new StringBuilder();
        for (int n = 1; n <= items; n++) {
            String path = "/flaky-held/" + n;
            server.wireMock().stubFor(get(urlPathEqualTo(path)).inScenario(path)
                    .whenScenarioStateIs(STARTED).willReturn(held(503)).willSetStateTo("again"));
            server.wireMock().stubFor(get(urlPathEqualTo(path)).inScenario(path)
                    .whenScenarioStateIs("again").willReturn(held(200)));
            list.append(server.url(path)).append('\n');
        }
        Path file = TestServer.write(dir.resolve("flaky.txt"), list.toString());
        List<String> args = new ArrayList<>(List.of("fetch", file.toString(), "-e", engine,
                "-q", "--backoff=10ms..50ms"));
        args.addAll(List.of(caps.split(" ")));

        Cli.Result result = Cli.run(args.toArray(String[]::new));

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<JsonNode> records = Records.parse(result.out());
        assertThat(records).hasSize(items).allMatch(r -> r.get("attempts").asInt() == 2);
        if (caps.contains("--ordered")) {
            assertThat(records).extracting(r -> r.get("seq").asLong()).isSorted();
        }
        assertThat(server.counter().served()).isEqualTo(2 * items);
        assertThat(server.counter().peak()).isLessThanOrEqualTo(cap);
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder held(
            int status) {
        return aResponse().withStatus(status).withBody("x")
                .withTransformers(InFlightCounter.NAME)
                .withTransformerParameters(Map.of("holdMs", 40));
    }
}
