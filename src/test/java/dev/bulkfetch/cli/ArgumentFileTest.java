package dev.bulkfetch.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options from a file, {@code @FILE}, as the README tells a token to be given so that no
 * command line shows it to {@code ps}: compare's and the launcher's would, though compare's
 * runs get the headers on their stdin (after a review: the README promised more than that).
 */
class ArgumentFileTest {

    private static final String TOKEN = "Bearer s3cret-token";

    @TempDir
    Path dir;

    @Test
    void aHeaderFromAnArgumentFileGoesWithEveryRequestOfFetchAndCompare() throws Exception {
        try (TestServer server = new TestServer()) {
            server.wireMock().stubFor(get(urlEqualTo("/private"))
                    .withHeader("Authorization", equalTo(TOKEN)).willReturn(ok()));
            Path list = TestServer.write(dir.resolve("list.txt"),
                    server.url("/private") + "\n");
            // One argument a line, quoted where it has spaces, as the README shows.
            Path args = TestServer.write(dir.resolve("token.args"),
                    "-H\n\"Authorization: " + TOKEN + "\"\n");
            Path report = dir.resolve("report");

            Cli.Result fetched = Cli.run("fetch", list.toString(), "@" + args, "-q");
            Cli.Result compared = Cli.run("compare", list.toString(), "@" + args,
                    "--engines", "serial", "--warmup", "0", "--report", report.toString());

            assertThat(fetched.exitCode()).as(fetched.err()).isZero();
            assertThat(Records.json(fetched.out()).get("status").asInt()).isEqualTo(200);
            assertThat(compared.exitCode()).as(compared.err()).isZero();
            JsonNode run = Records.json(Files.readString(report.resolve("runs.json")))
                    .get("runs").get(0);
            assertThat(run.get("ok").asLong()).as(run.toString()).isEqualTo(1);
        }
    }
}
