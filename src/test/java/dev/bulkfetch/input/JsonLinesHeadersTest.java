package dev.bulkfetch.input;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Headers and a method from the command line and from specs: which wins, and bad ones. */
class JsonLinesHeadersTest {

    @TempDir
    Path dir;

    @Test
    void methodAndHeadersFromTheCommandLineApplyToEveryUrlOfAList() {
        try (TestServer server = new TestServer()) {
            server.wireMock().stubFor(any(urlPathMatching("/api/.*"))
                    .willReturn(aResponse().withStatus(204)));
            Path list = TestServer.write(dir.resolve("list.txt"),
                    server.url("/api/1") + "\n" + server.url("/api/2") + "\n");

            Cli.Result result = Cli.run("fetch", list.toString(), "-X", "DELETE", "-H",
                    "Authorization: Bearer t0ken", "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            server.wireMock().verify(2, com.github.tomakehurst.wiremock.client.WireMock
                    .deleteRequestedFor(urlPathMatching("/api/[12]"))
                    .withHeader("Authorization", equalTo("Bearer t0ken")));
            assertThat(result.err()).doesNotContain("t0ken");
        }
    }

    /**
     * Header names are case-insensitive: a spec's {@code x-api-key} replaces {@code -H
     * 'X-Api-Key: ...'}, and of two {@code -H} the last counts, on every engine. Before, the
     * event loop sent both values (two credentials) where the JDK sent one.
     */
    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aSpecHeaderReplacesACommandLineOneWhateverTheCase(EngineKind engine) {
        try (TestServer server = new TestServer()) {
            server.wireMock().stubFor(any(urlPathMatching("/api/.*"))
                    .willReturn(aResponse().withStatus(204)));
            String specs = "{\"url\": \"" + server.url("/api/1") + "\", \"headers\": "
                    + "{\"x-api-key\": \"from-spec\"}}\n{\"url\": \""
                    + server.url("/api/2") + "\"}\n";
            Path file = TestServer.write(dir.resolve("override.jsonl"), specs);

            Cli.Result result = Cli.run("fetch", file.toString(), "-e", engine.cliName(),
                    "-H", "X-Api-Key: from-cli", "-H", "X-Trace: first", "-H",
                    "x-trace: last", "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            Map<String, com.github.tomakehurst.wiremock.http.HttpHeaders> byPath = server
                    .wireMock().getAllServeEvents().stream().collect(Collectors.toMap(
                            event -> event.getRequest().getUrl(),
                            event -> event.getRequest().getHeaders()));
            assertThat(byPath.get("/api/1").getHeader("X-Api-Key").values())
                    .containsExactly("from-spec");
            assertThat(byPath.get("/api/2").getHeader("X-Api-Key").values())
                    .containsExactly("from-cli");
            assertThat(byPath.get("/api/2").getHeader("X-Trace").values())
                    .containsExactly("last");
        }
    }

    @Test
    void aHeaderNameAClientWouldRefuseIsThatLinesInputErrorAndTheRunGoesOn() {
        try (TestServer server = new TestServer()) {
            String specs = "{\"url\": \"" + server.url("/ok/1") + "\", \"headers\": "
                    + "{\"Bad Name\": \"x\"}}\n{\"url\": \"" + server.url("/ok/2") + "\"}\n";
            Path file = TestServer.write(dir.resolve("bad-header.jsonl"), specs);

            Cli.Result result = Cli.run("fetch", file.toString(), "--rate", "50/s", "-q");

            assertThat(result.exitCode()).isEqualTo(1);
            Map<Long, JsonNode> bySeq = Records.parse(result.out()).stream().collect(
                    Collectors.toMap(r -> r.get("seq").asLong(), Function.identity()));
            assertThat(bySeq.get(1L).get("error").get("message").asText())
                    .contains("is not a header name");
            assertThat(bySeq.get(2L).get("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void aHeaderValueWithALineBreakIsThatLinesInputErrorAndTheRunGoesOn() {
        try (TestServer server = new TestServer()) {
            String specs = "{\"url\": \"" + server.url("/ok/1") + "\", \"headers\": "
                    + "{\"X-Trace\": \"a\\r\\nX-Injected: 1\"}}\n{\"url\": \""
                    + server.url("/ok/2") + "\"}\n";
            Path file = TestServer.write(dir.resolve("line-break.jsonl"), specs);

            Cli.Result result = Cli.run("fetch", file.toString(), "--rate", "50/s", "-q");

            assertThat(result.exitCode()).isEqualTo(1);
            Map<Long, JsonNode> bySeq = Records.parse(result.out()).stream().collect(
                    Collectors.toMap(r -> r.get("seq").asLong(), Function.identity()));
            assertThat(bySeq.get(1L).get("error").get("kind").asText()).isEqualTo("input");
            assertThat(bySeq.get(1L).get("error").get("message").asText())
                    .contains("header \"X-Trace\" has a line break");
            assertThat(bySeq.get(2L).get("ok").asBoolean()).isTrue();
        }
    }

    /**
     * A bad -H is named by its place, or by its header's name, but its value is not shown:
     * that is where a token goes, and it was printed, control characters and all.
     */
    @Test
    void aBadHeaderIsAUsageErrorNamingTheOptionButNotShowingTheValue() {
        Cli.Result noColon = Cli.run("fetch", "urls/demo.txt", "-H", "X-A: 1", "-H",
                "Authorization Bearer TOPSECRET");
        Cli.Result control = Cli.run("fetch", "urls/demo.txt", "-H",
                "Authorization: Bearer TOPSECRET\u0001");

        assertThat(noColon.exitCode()).isEqualTo(2);
        assertThat(noColon.err()).contains("--header").contains("the 2nd -H must be 'Name: value'")
                .doesNotContain("TOPSECRET");
        assertThat(control.exitCode()).isEqualTo(2);
        assertThat(control.err()).contains("--header")
                .contains("header \"Authorization\" has a control character (0x01)")
                .doesNotContain("TOPSECRET").doesNotContain("\u0001");
    }
}
