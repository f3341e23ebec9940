package dev.bulkfetch.input;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Header values such as Authorization never appear in records, errors or the summary", end
 * to end: a spec line that is not valid JSON, from an exploratory test that found its
 * header's value in the record.
 */
class SpecSecretsTest {

    private static final String SECRET = "sk_live_SECRETabc123";

    @TempDir
    Path dir;

    /**
     * A header value left unquoted made Jackson's message, and so the record, quote it:
     * "Unrecognized token 'sk_live_...'". The record says what is wrong, where, and which
     * spec it was (its id), and the rest of the run goes on.
     */
    @Test
    void aSpecLineThatIsNoJsonIsNamedWithoutItsText() {
        try (TestServer server = new TestServer()) {
            Path specs = TestServer.write(dir.resolve("specs.jsonl"), "{\"id\":\"k\",\"url\":\""
                    + server.url("/ok/1") + "\",\"headers\":{\"Authorization\":" + SECRET
                    + "}}\n{\"url\":\"" + server.url("/ok/2") + "\"}\n");

            Cli.Result result = Cli.run("fetch", specs.toString(), "-q");

            assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
            assertThat(result.out() + result.err()).doesNotContain(SECRET);
            JsonNode rejected = Records.parse(result.out()).stream()
                    .filter(r -> r.get("seq").asLong() == 1).findFirst().orElseThrow();
            assertThat(rejected.get("id").asText()).isEqualTo("k");
            assertThat(rejected.get("error").get("message").asText()).isEqualTo("line 1: not"
                    + " valid JSON: a value that is not quoted (strings need double quotes), at"
                    + " column " + (rejected.get("url").asText().length() + 47));
            server.wireMock().verify(1, getRequestedFor(urlEqualTo("/ok/2")));
        }
    }
}
