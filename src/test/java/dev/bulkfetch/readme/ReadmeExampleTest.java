package dev.bulkfetch.readme;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's library example is this test's code, so it compiles, runs, and cannot rot. */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleRunsAgainstWireMock() {
        try (TestServer server = new TestServer()) {
            server.wireMock().stubFor(get(urlPathMatching("/items/[0-9]*[05]"))
                    .willReturn(aResponse().withStatus(503)));
            server.wireMock().stubFor(get(urlPathMatching("/items/[0-9]*[1-46-9]"))
                    .willReturn(aResponse().withStatus(200)
                            .withHeader("Content-Type", "application/json")
                            .withBody("{\"name\": \"widget\", \"cents\": 250}")));

            ReadmeExample.Report report = ReadmeExample.totalPrice(server.url(""), 30);
            // 24 of the 30 pages answer, at 250 cents each; the other 6 always fail.
            assertThat(report.totalCents()).isEqualTo(24 * 250);
            assertThat(report.failedPages()).containsExactly(5L, 10L, 15L, 20L, 25L, 30L);
        }
    }

    /**
     * Run against the mock that ships (serve, --mock) as a reader would: its /items/N had no
     * price and an id the example's Item lacks, so every page failed as a body error.
     */
    @Test
    void theReadmeExampleRunsAgainstTheShippedMock() {
        try (dev.bulkfetch.mock.MockServer mock = dev.bulkfetch.mock.MockServer.start(0,
                Path.of("wiremock-mappings"))) {
            ReadmeExample.Report report = ReadmeExample.totalPrice("http://127.0.0.1:"
                    + mock.port(), 10);
            assertThat(report.failedPages()).isEmpty();
            assertThat(report.totalCents()).isEqualTo(10 * 250);
        }
    }

    @Test
    void theReadmeShowsExactlyThisExample() throws Exception {
        String source = Files.readString(Path.of(
                "src/test/java/dev/bulkfetch/readme/ReadmeExample.java"));
        String example = source.substring(source.indexOf("// README-START\n") + 16,
                source.indexOf("// README-END"));
        assertThat(Files.readString(Path.of("README.md"))).contains(example);
    }
}
