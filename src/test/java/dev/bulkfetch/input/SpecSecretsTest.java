package dev.bulkfetch.input;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Header values such as Authorization never appear in records, errors or the summary", end
 * to end: request specs read as a URL list, and a spec line that is not valid JSON, from an
 * exploratory test that found both in the records.
 */
class SpecSecretsTest {

    private static final String SECRET = "sk_live_SECRETabc123";

    @TempDir
    Path dir;

    /**
     * Specs piped through stdin are read as a URL list: each line's record had the line whole
     * as its url, its Authorization header too. Only the spec's url is kept, and the error
     * says which option reads specs.
     */
    @Test
    void specsPipedAsAUrlListShowNoHeaderInRecordsStderrOrSummary() throws Exception {
        try (TestServer server = new TestServer()) {
            String specs = "{\"url\":\"" + server.url("/ok/1") + "\",\"headers\":"
                    + "{\"Authorization\":\"Bearer " + SECRET + "\"}}\n{\"id\":\"b\",\"headers\":"
                    + "{\"Authorization\":\"Bearer " + SECRET + "\"},\"url\":\""
                    + server.url("/ok/2") + "\"}\n";
            Path out = dir.resolve("out.jsonl");
            Path summary = dir.resolve("summary.json");

            Cli.Result result = Cli.runWithInput(specs, "fetch", "-", "-o", out.toString(),
                    "--summary-json", summary.toString());

            assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
            assertThat(result.out() + result.err() + Files.readString(out)
                    + Files.readString(summary)).doesNotContain(SECRET);
            List<JsonNode> records = Records.read(out);
            assertThat(records).extracting(r -> r.get("url").asText())
                    .containsExactlyInAnyOrder(server.url("/ok/1"), server.url("/ok/2"));
            assertThat(records).allSatisfy(r -> assertThat(r.get("error").get("message")
                    .asText()).contains("--input-format jsonl reads them"));
            assertThat(server.counter().served()).isZero();
        }
    }

    /** A .ndjson name is JSON Lines to auto, as .jsonl is: its specs are sent as they say. */
    @Test
    void autoReadsAnNdjsonNameAsJsonLines() {
        try (TestServer server = new TestServer()) {
            Path specs = TestServer.write(dir.resolve("specs.NDJSON"), "{\"id\":\"a\",\"url\":\""
                    + server.url("/ok/1") + "\",\"headers\":{\"Authorization\":\"Bearer t\"}}\n");

            Cli.Result result = Cli.run("fetch", specs.toString(), "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(Records.parse(result.out())).singleElement()
                    .satisfies(r -> assertThat(r.get("id").asText()).isEqualTo("a"));
            server.wireMock().verify(1, getRequestedFor(urlEqualTo("/ok/1"))
                    .withHeader("Authorization", equalTo("Bearer t")));
        }
    }

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
