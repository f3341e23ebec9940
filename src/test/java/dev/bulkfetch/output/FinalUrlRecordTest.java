package dev.bulkfetch.output;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A record says where a redirected item's answer came from, as {@code final_url} after the
 * fixed fields, and only when that is not its {@code url}; a resume reads records with it and
 * without it alike.
 */
class FinalUrlRecordTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @TempDir
    Path dir;

    private static List<String> fieldNames(JsonNode record) {
        List<String> names = new ArrayList<>();
        record.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * {@code /redirect/N} is answered with a redirect to {@code /ok/1}; {@code /loop/1}
     * redirects to itself until the limit, so its last answer came from its own URL.
     */
    @ParameterizedTest
    @EnumSource
    void aRedirectFollowedIsInTheRecordAndNoRedirectLeavesNoField(EngineKind engine) {
        Path list = TestServer.write(dir.resolve("list.txt"), server.url("/redirect/1") + "\n"
                + server.url("/ok/2") + "\n" + server.url("/loop/1") + "\n");

        Cli.Result run = Cli.run("fetch", list.toString(), "-e", engine.cliName(), "-c", "1",
                "--ordered", "-q", "--max-redirects", "2");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        List<JsonNode> records = Records.parse(run.out());
        assertThat(records).hasSize(3);
        assertThat(fieldNames(records.get(0))).containsExactly("seq", "id", "url", "method",
                "ok", "status", "error", "attempts", "latency_ms", "bytes", "engine",
                "final_url");
        assertThat(records.get(0).get("url").asText()).isEqualTo(server.url("/redirect/1"));
        assertThat(records.get(0).get("final_url").asText()).isEqualTo(server.url("/ok/1"));
        assertThat(records.get(1).get("ok").asBoolean()).isTrue();
        assertThat(records.get(1).has("final_url")).isFalse();
        assertThat(records.get(2).get("status").asInt()).isEqualTo(302);
        assertThat(records.get(2).has("final_url")).isFalse();
    }

    /**
     * Credentials in the URL redirected to are not used, so final_url, the URL as sent, has
     * none: neither the password nor the user.
     */
    @Test
    void credentialsInTheUrlRedirectedToAreNotInFinalUrl() {
        server.wireMock().stubFor(get(urlEqualTo("/to-secret/1")).willReturn(aResponse()
                .withStatus(302).withHeader("Location", server.url("/ok/7")
                        .replace("://", "://ann:s3cret@"))));
        Cli.Result run = Cli.runWithInput(server.url("/to-secret/1") + "\n", "fetch", "-", "-q");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode record = Records.parse(run.out()).getFirst();
        assertThat(record.get("final_url").asText()).isEqualTo(server.url("/ok/7"));
        assertThat(run.out()).doesNotContain("s3cret").doesNotContain("ann");
    }

    /**
     * A run's records, some with final_url and some without, are kept by a resume, which
     * fetches what they lack and writes final_url in its own records as the first run did.
     */
    @Test
    void aResumeKeepsRecordsWithAndWithoutFinalUrl() throws Exception {
        Path list = TestServer.write(dir.resolve("list.txt"), server.url("/redirect/1") + "\n"
                + server.url("/ok/2") + "\n" + server.url("/redirect/3") + "\n"
                + server.url("/ok/4") + "\n");
        Path out = dir.resolve("out.jsonl");
        Cli.Result first = Cli.run("fetch", list.toString(), "-o", out.toString(), "-q",
                "--ordered");
        assertThat(first.exitCode()).as(first.err()).isZero();
        List<String> written = Files.readAllLines(out);
        assertThat(written.get(0)).contains("\"final_url\"");
        assertThat(written.get(1)).doesNotContain("final_url");
        // Stopped after two records, the third torn.
        Files.writeString(out, written.get(0) + "\n" + written.get(1) + "\n"
                + written.get(2).substring(0, 30), StandardCharsets.UTF_8);

        Cli.Result resumed = Cli.run("fetch", list.toString(), "-o", out.toString(),
                "--resume", "--ordered");

        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("2 records kept").contains("2 items: 2 ok");
        List<JsonNode> records = Records.read(out);
        assertThat(records).extracting(r -> r.get("seq").asLong())
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(records).extracting(r -> r.path("final_url").asText(null))
                .containsExactly(server.url("/ok/1"), null, server.url("/ok/1"), null);
    }
}
