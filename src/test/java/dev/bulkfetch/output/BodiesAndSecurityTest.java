package dev.bulkfetch.output;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BodiesAndSecurityTest {

    @TempDir
    Path dir;

    @Test
    void saveBodiesWithCraftedUrlsWritesOnlyInsideTheFolder() throws Exception {
        try (TestServer server = new TestServer()) {
            server.wireMock().stubFor(any(anyUrl()).atPriority(10)
                    .willReturn(aResponse().withStatus(200).withBody("body!")));
            String text = String.join("\n",
                    server.url("/../../../../tmp/escaped"),
                    server.url("/%2e%2e/%2e%2e/etc/passwd"),
                    server.url("//absolute/path/file.txt"),
                    server.url("/" + "n".repeat(3000)),
                    server.url("/plain?name=../../x")) + "\n";
            Path list = TestServer.write(dir.resolve("crafted.txt"), text);
            Path bodies = dir.resolve("bodies");

            Cli.Result result = Cli.run("fetch", list.toString(), "--save-bodies",
                    bodies.toString(), "--timeout", "2s", "--retries", "0", "-q");

            // Some of these paths the server may refuse or stall on; what matters is where
            // the bodies that did come were written.
            List<JsonNode> records = Records.parse(result.out());
            assertThat(records).hasSize(5);
            List<String> expected = records.stream().filter(r -> !r.get("status").isNull())
                    .map(r -> r.get("seq").asText() + ".body").toList();
            assertThat(expected).contains("4.body", "5.body");
            try (Stream<Path> all = Files.walk(dir)) {
                assertThat(all.filter(Files::isRegularFile)
                        .filter(p -> !p.startsWith(bodies) && !p.equals(list))).isEmpty();
            }
            try (Stream<Path> saved = Files.list(bodies)) {
                assertThat(saved.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
            for (JsonNode record : records) {
                if (!record.get("status").isNull()) {
                    Path file = Path.of(record.get("body_file").asText());
                    assertThat(file.getParent()).isEqualTo(bodies.toRealPath());
                }
                if (record.get("ok").asBoolean()) {
                    assertThat(Files.readString(Path.of(record.get("body_file").asText())))
                            .isEqualTo("body!");
                }
            }
        }
    }

    @Test
    void includeBodyPutsTextBodiesIntoTheRecord() {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 2);
            Cli.Result result = Cli.run("fetch", list.toString(), "--include-body", "-q");
            assertThat(Records.parse(result.out())).allMatch(r ->
                    r.get("body").asText().equals("{\"ok\":true}"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"event-loop", "threads", "virtual"})
    void certificatesAreVerifiedUnlessInsecureIsGiven(String engine) {
        WireMockServer tls = new WireMockServer(options().bindAddress("127.0.0.1")
                .dynamicPort().dynamicHttpsPort().notifier(new Slf4jNotifier(false)));
        tls.start();
        try {
            tls.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("tls")));
            Path list = TestServer.write(dir.resolve("tls.txt"),
                    "https://127.0.0.1:" + tls.httpsPort() + "/secure\n");

            List<JsonNode> verified = Records.parse(Cli.run("fetch", list.toString(), "-e",
                    engine, "--retries", "0", "-q").out());
            List<JsonNode> insecure = Records.parse(Cli.run("fetch", list.toString(), "-e",
                    engine, "--insecure", "-q").out());

            assertThat(verified.getFirst().get("ok").asBoolean()).isFalse();
            assertThat(verified.getFirst().get("error").get("kind").asText()).isEqualTo("connect");
            assertThat(insecure.getFirst().get("ok").asBoolean()).isTrue();
            // A refused certificate is refused again: the default retries went twice more,
            // with their backoffs, for nothing.
            JsonNode byDefault = Records.parse(Cli.run("fetch", list.toString(), "-e", engine,
                    "-q").out()).getFirst();
            assertThat(byDefault.get("error").get("kind").asText()).isEqualTo("connect");
            assertThat(byDefault.get("attempts").asInt()).isEqualTo(1);
        } finally {
            tls.stop();
        }
    }

    @Test
    void denyPrivateRefusesLoopbackAndPrivateHostsAsInputErrors() {
        Path list = TestServer.write(dir.resolve("private.txt"), String.join("\n",
                "http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://192.168.0.1/x",
                "http://169.254.169.254/latest/meta-data", "http://[::1]/x",
                "http://[fd00::1]/x") + "\n");

        Cli.Result result = Cli.run("fetch", list.toString(), "--deny-private", "-q");

        List<JsonNode> records = Records.parse(result.out());
        assertThat(records).hasSize(6).allMatch(r ->
                r.get("error").get("kind").asText().equals("input")
                        && r.get("attempts").asInt() == 0
                        && r.get("error").get("message").asText().contains("--deny-private"));
    }

    /**
     * A password in a URL is sent (as Basic credentials) but never written: records get
     * shared, and the same secret as an {@code Authorization} header never shows in them. One
     * after an encoded colon, sent all the same, too; and an input error's line and message,
     * whatever cut the line short (a {@code /} in the password); a user alone, and an
     * {@code @} past the host, stay.
     */
    @Test
    void aPasswordInAUrlIsSentButMaskedInTheRecords() {
        try (TestServer server = new TestServer()) {
            String withPassword = server.url("/ok/1").replace("://", "://ann:s3cret@");
            String userAlone = server.url("/ok/2").replace("://", "://ann@");
            String atInPath = server.url("/ok/3@x:y");
            String encodedColon = server.url("/ok/4").replace("://", "://ann%3As3cret@");
            String longPassword = "http://ann:" + "S".repeat(250) + "@bad_host/x";
            Path list = TestServer.write(dir.resolve("secret.txt"), String.join("\n",
                    withPassword, userAlone, atInPath, encodedColon,
                    "http://ann:s3cret@127.0.0.1:99999/x", "http://ann:s3/cret@127.0.0.1/x",
                    "http:ann:s3cret@127.0.0.1/x", "ann:s3cret@bad_host/x", longPassword,
                    "http://my_host:8080/contact@me", "http://ex_ample.com/p?next=a:b@c")
                    + "\n");

            Cli.Result result = Cli.run("fetch", list.toString(), "--ordered", "-q");

            assertThat(result.out()).doesNotContain("s3cret").doesNotContain("s3")
                    .doesNotContain("SSS");
            List<JsonNode> records = Records.parse(result.out());
            assertThat(records).extracting(r -> r.get("url").asText()).containsExactly(
                    withPassword.replace("s3cret", "xxxxx"), userAlone, atInPath,
                    encodedColon.replace("s3cret", "xxxxx"),
                    "http://ann:xxxxx@127.0.0.1:99999/x", "http://ann:xxxxx@127.0.0.1/x",
                    "http:xxxxx@127.0.0.1/x", "ann:xxxxx@bad_host/x",
                    "http://ann:xxxxx@bad_host/x",
                    // No password, not masked: a port before an @ in the path or query.
                    "http://my_host:8080/contact@me", "http://ex_ample.com/p?next=a:b@c");
            assertThat(records.getFirst().get("ok").asBoolean()).isTrue();
            String basic = "Basic " + Base64.getEncoder().encodeToString(
                    "ann:s3cret".getBytes(StandardCharsets.UTF_8));
            for (String path : List.of("/ok/1", "/ok/4")) {
                assertThat(server.wireMock().findAll(getRequestedFor(urlEqualTo(path))))
                        .as("the password sent for " + path).singleElement()
                        .satisfies(r -> assertThat(r.getHeader("Authorization"))
                                .isEqualTo(basic));
            }
            assertThat(records.subList(4, 11)).allMatch(r ->
                    r.get("error").get("kind").asText().equals("input"));
        }
    }
}
