package dev.bulkfetch.limit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --per-host caps each host without letting a slow host hold up a fast one. */
class PerHostTest {

    @TempDir
    Path dir;

    /**
     * Runs fetch over {@code lines} with {@code options}, writing to a file, and lets the slow
     * host's held requests go once {@code fast} records are written: the other host's, which
     * only a slow host holding them up could keep from coming first.
     */
    private List<JsonNode> fetchReleasingTheSlowHostAfter(TestServer slow, List<String> lines,
                                                          int fast, String... options)
            throws Exception {
        Path list = TestServer.write(dir.resolve("hosts.txt"), String.join("\n", lines) + "\n");
        Path out = dir.resolve("out.jsonl");
        List<String> args = new ArrayList<>(List.of("fetch", list.toString(), "-q", "-o",
                out.toString()));
        args.addAll(List.of(options));
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(
                () -> Cli.run(args.toArray(String[]::new)));

        try {
            assertThat(Await.until(() -> Records.written(out) == fast, Duration.ofSeconds(30)))
                    .as("the fast host's records written while the slow host's are held")
                    .isTrue();
        } finally {
            slow.counter().release();  // failed or not, the run must not outlive the test
        }

        Cli.Result result = run.get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.err()).isZero();
        return Records.read(out);
    }

    /** The first {@code n} records, all of {@code path}'s. */
    private static void firstAreAll(List<JsonNode> records, int n, String path) {
        assertThat(records.subList(0, n)).allMatch(r -> r.get("url").asText().contains(path));
    }

    @Test
    void perHostLimitHoldsWhileOtherHostsProceed() throws Exception {
        // Two hosts: per-host limits key on the host name, 127.0.0.1 and localhost.
        try (TestServer slow = new TestServer();
             TestServer fast = TestServer.otherHost()) {
            List<String> lines = new ArrayList<>();
            for (int n = 1; n <= 6; n++) {
                lines.add(slow.url("/until-released/" + n));
            }
            for (int n = 1; n <= 20; n++) {
                lines.add(fast.url("/quick-held/" + n));
            }

            List<JsonNode> records = fetchReleasingTheSlowHostAfter(slow, lines, 20,
                    "-c", "8", "--per-host", "2");

            assertThat(records).hasSize(26);
            firstAreAll(records, 20, "/quick-held/");
            assertThat(slow.counter().peak()).isEqualTo(2);
            assertThat(fast.counter().peak()).isEqualTo(2);
        }
    }

    /**
     * A list grouped by host: more of one host's URLs in a row than -c. The ready queue held
     * -c items, all of that host, so the next host's waited until the first host's items
     * had nearly all started: nine of sixteen had finished before the other host's first
     * started. Held here until the other host's are all written, they would never start.
     */
    @Test
    void aLongRunOfOneHostsUrlsDoesNotHoldUpTheNextHosts() throws Exception {
        // Two hosts: per-host limits key on the host name, 127.0.0.1 and localhost.
        try (TestServer slow = new TestServer();
             TestServer fast = TestServer.otherHost()) {
            List<String> lines = new ArrayList<>();
            for (int n = 1; n <= 16; n++) {
                lines.add(slow.url("/until-released/" + n));
            }
            for (int n = 1; n <= 20; n++) {
                lines.add(fast.url("/quick-held/" + n));
            }

            List<JsonNode> records = fetchReleasingTheSlowHostAfter(slow, lines, 20,
                    "-c", "6", "--per-host", "2");

            assertThat(records).hasSize(36);
            firstAreAll(records, 20, "/quick-held/");
            assertThat(slow.counter().peak()).isEqualTo(2);
            assertThat(fast.counter().peak()).isEqualTo(2);
        }
    }

    /**
     * A host is its name: an item whose URL redirects to the same name on another port (as
     * http to https does) counts against that name. Keyed by host and port, such items and
     * the other port's own were two hosts, and the server saw twice the cap.
     */
    @Test
    void aRedirectToTheSameHostOnAnotherPortCountsAgainstThatHost() {
        try (TestServer entry = new TestServer(); TestServer target = new TestServer()) {
            entry.wireMock().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                    com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(
                            "/moved/([0-9]+)"))
                    .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                            .withStatus(302).withHeader("Location", target.url("/held/1"))));
            List<String> lines = new ArrayList<>();
            for (int n = 1; n <= 8; n++) {
                lines.add(entry.url("/moved/" + n));
                lines.add(target.url("/held/" + n));
            }
            Path list = TestServer.write(dir.resolve("moved.txt"), String.join("\n", lines)
                    + "\n");

            Cli.Result result = Cli.run("fetch", list.toString(), "-c", "8", "--per-host", "2",
                    "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(Records.parse(result.out())).hasSize(16);
            assertThat(target.counter().peak()).isEqualTo(2);
        }
    }
}
