package dev.bulkfetch.limit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --per-host caps each host without letting a slow host hold up a fast one. */
class PerHostTest {

    @TempDir
    Path dir;

    @Test
    void perHostLimitHoldsWhileOtherHostsProceed() {
        // Two hosts: per-host limits key on the host name, so two addresses.
        try (TestServer slow = new TestServer();
             TestServer fast = new TestServer("127.0.0.2")) {
            List<String> lines = new ArrayList<>();
            for (int n = 1; n <= 6; n++) {
                lines.add(slow.url("/long-held/" + n));
            }
            for (int n = 1; n <= 20; n++) {
                lines.add(fast.url("/quick-held/" + n));
            }
            Path list = TestServer.write(dir.resolve("hosts.txt"), String.join("\n", lines) + "\n");

            Cli.Result result = Cli.run("fetch", list.toString(), "-c", "8", "--per-host", "2",
                    "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            List<JsonNode> records = Records.parse(result.out());
            assertThat(records).hasSize(26);
            // Completion order: every fast item is written before the slow host's last two,
            // which were still in flight (1.5 s each, two at a time) when the fast ones ended.
            int lastFast = 0;
            int slowSeen = 0;
            int slowBeforeLastFast = 0;
            for (int i = 0; i < records.size(); i++) {
                boolean isSlow = records.get(i).get("url").asText().contains("/long-held/");
                if (isSlow) {
                    slowSeen++;
                } else {
                    lastFast = i;
                    slowBeforeLastFast = slowSeen;
                }
            }
            assertThat(slowBeforeLastFast).as("slow items done before the last fast one")
                    .isLessThanOrEqualTo(2);
            assertThat(lastFast).isLessThan(records.size() - 1);
            assertThat(slow.counter().peak()).isEqualTo(2);
            assertThat(fast.counter().peak()).isEqualTo(2);
        }
    }
    /**
     * A list grouped by host: more of one host's URLs in a row than -c. The ready queue held
     * -c items, all of that host, so the next host's waited until the first host's items
     * had nearly all started: nine of sixteen had finished before the other host's first
     * started.
     */
    @Test
    void aLongRunOfOneHostsUrlsDoesNotHoldUpTheNextHosts() {
        // Two hosts: per-host limits key on the host name, so two addresses.
        try (TestServer slow = new TestServer();
             TestServer fast = new TestServer("127.0.0.2")) {
            List<String> lines = new ArrayList<>();
            for (int n = 1; n <= 16; n++) {
                lines.add(slow.url("/held/" + n));
            }
            for (int n = 1; n <= 20; n++) {
                lines.add(fast.url("/quick-held/" + n));
            }
            Path list = TestServer.write(dir.resolve("grouped.txt"),
                    String.join("\n", lines) + "\n");

            Cli.Result result = Cli.run("fetch", list.toString(), "-c", "6", "--per-host", "2",
                    "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            List<JsonNode> records = Records.parse(result.out());
            assertThat(records).hasSize(36);
            int slowBeforeFirstFast = 0;
            for (JsonNode record : records) {
                if (!record.get("url").asText().contains("/held/")
                        || record.get("url").asText().contains("/quick-held/")) {
                    break;
                }
                slowBeforeFirstFast++;
            }
            // 200 ms each, two at a time, against 30 ms: at most a wave or two of the slow
            // host ends before the fast host's first.
            assertThat(slowBeforeFirstFast).isLessThanOrEqualTo(4);
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
