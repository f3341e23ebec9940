package dev.bulkfetch.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.RefusedPort;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * After review: a run whose every item failed its TLS handshake (a certificate not trusted, a
 * plain-HTTP server answering an https URL) was told "no item could connect: is the server
 * up?", when the server was up and had answered. The warning now says which it was, on every
 * engine. WireMock's own self-signed certificate is trusted by none.
 */
class NoneConnectedWarningTest {

    @TempDir
    static Path dir;

    private static WireMockServer tls;
    private static RefusedPort refusing;

    @BeforeAll
    static void servers() throws Exception {
        tls = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
                .dynamicHttpsPort().notifier(new Slf4jNotifier(false)));
        tls.start();
        tls.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("tls")));
        refusing = new RefusedPort();
    }

    @AfterAll
    static void stop() {
        tls.stop();
        refusing.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"event-loop", "threads", "virtual", "serial"})
    void aRunWhoseEveryHandshakeFailedSaysSoNotThatTheServerMayBeDown(String engine)
            throws Exception {
        String untrusted = "https://127.0.0.1:" + tls.httpsPort() + "/a\n";
        // The plain-HTTP port, asked for TLS: it answers, in HTTP.
        String plain = "https://127.0.0.1:" + tls.port() + "/b\n";
        String refused = refusing.url("/c") + "\n";

        Cli.Result certificate = fetch(engine, "certificate", untrusted + "not a url\n");
        // Retried once: the summary counts the item, not its attempts.
        Path summary = dir.resolve(engine + "-summary.json");
        Cli.Result noTls = fetch(engine, "plain", plain, "--retries", "1", "--backoff",
                "1ms..2ms", "--summary-json", summary.toString());
        Cli.Result mixed = fetch(engine, "mixed", untrusted + refused + plain + refused);
        Cli.Result down = fetch(engine, "down", refused);

        // With --insecure given, the plain port is the likely cause: http:// is named alone.
        Cli.Result insecure = fetch(engine, "insecure", plain, "--insecure");

        String tlsWarning = "warning: no item could connect: every TLS handshake failed: the "
                + "server's certificate refused (see --cacert, or --insecure for a test server),"
                + " no TLS on its port (the URLs want http://), or the server ended the handshake"
                + " (wanting a client certificate or another TLS version): their records' errors"
                + " say which";
        assertThat(insecure.err()).contains("warning: no item could connect: every TLS "
                + "handshake failed, with --insecure given: is there TLS on its port (or should "
                + "the URLs be http://), or did the server end the handshake (wanting a client "
                + "certificate or another TLS version)? Their records' errors say which")
                .doesNotContain("see --cacert");
        assertThat(certificate.err()).contains(tlsWarning).doesNotContain("server up");
        assertThat(noTls.err()).contains(tlsWarning);
        JsonNode json = Records.json(Files.readString(summary));
        assertThat(json.get("errors").get("connect").asLong()).isEqualTo(1);
        assertThat(json.get("connect_tls").asLong()).isEqualTo(1);
        assertThat(json.get("retries").asLong()).isEqualTo(1);
        assertThat(mixed.err()).contains("warning: no item could connect: 2 failed in the TLS "
                + "handshake (1 with the server's certificate refused: see --cacert, or "
                + "--insecure for a test server), 2 otherwise (see their records' errors)");
        assertThat(down.err()).contains("warning: no item could connect: is the server up?")
                .doesNotContain("TLS");
        assertThat(Records.parse(certificate.out() + noTls.out() + mixed.out() + down.out()
                + insecure.out())).hasSize(9);
    }

    /**
     * A server that resets every connection in its TLS handshake was up: on the JDK's engines,
     * which said only "Connection reset" of it, the warning asked whether it was.
     */
    @ParameterizedTest
    @ValueSource(strings = {"event-loop", "threads", "virtual", "serial"})
    void aRunWhoseEveryHandshakeWasResetSaysSo(String engine) throws Exception {
        Path summary = dir.resolve(engine + "-reset-summary.json");
        Cli.Result reset;
        try (RawServer resetting = new RawServer(RawServer.Mode.RESET_AFTER_FIRST_BYTES)) {
            reset = fetch(engine, "reset", resetting.url("/r\n").replaceFirst("^http:", "https:"),
                    "--summary-json", summary.toString());
        }

        // A reset is the server's doing, which the warning names beside a certificate refused.
        assertThat(reset.err()).contains("warning: no item could connect: every TLS handshake "
                + "failed").contains("the server ended the handshake (wanting a client "
                + "certificate or another TLS version)").doesNotContain("server up");
        assertThat(Records.json(Files.readString(summary)).get("connect_tls").asLong())
                .isEqualTo(1);
    }

    /**
     * Some handshakes failed, some items found no server: the warning named neither --cacert
     * nor --insecure, which only a run whose every handshake failed was told of, though a
     * certificate refused among them was as much a matter for those. Not when the handshakes
     * failed otherwise (a server that ended them), which those cannot mend.
     */
    @ParameterizedTest
    @ValueSource(strings = {"event-loop", "threads", "virtual", "serial"})
    void aCertificateRefusedAmongOtherFailuresNamesTheOptionsThatTrustIt(String engine)
            throws Exception {
        String untrusted = "https://127.0.0.1:" + tls.httpsPort() + "/a\n";
        String refused = refusing.url("/c") + "\n";
        Cli.Result certificate = fetch(engine, "certificate-among", untrusted + refused);
        Cli.Result reset;
        try (RawServer resetting = new RawServer(RawServer.Mode.RESET_AFTER_FIRST_BYTES)) {
            reset = fetch(engine, "reset-among", resetting.url("/r\n")
                    .replaceFirst("^http:", "https:") + refused);
        }

        assertThat(certificate.err()).contains("warning: no item could connect: 1 failed in "
                + "the TLS handshake (1 with the server's certificate refused: see --cacert, or "
                + "--insecure for a test server), 1 otherwise (see their records' errors)");
        assertThat(reset.err()).contains("warning: no item could connect: 1 failed in the TLS "
                + "handshake, 1 otherwise (see their records' errors)")
                .doesNotContain("--cacert").doesNotContain("--insecure");
    }

    /**
     * A run some of whose items connected said only "connect 1" of one whose server was up and
     * whose certificate this side refused: the warning above is for a run none of whose items
     * connected. It names the options here too, and not once one of them was given.
     */
    @ParameterizedTest
    @ValueSource(strings = {"event-loop", "threads", "virtual", "serial"})
    void aCertificateRefusedInARunWhoseOtherItemsConnectedNamesTheOptions(String engine)
            throws Exception {
        String list = "https://127.0.0.1:" + tls.httpsPort() + "/a\n"
                + "http://127.0.0.1:" + tls.port() + "/b\n";
        Path summary = dir.resolve(engine + "-beside-summary.json");
        Cli.Result refused = fetch(engine, "certificate-beside", list, "--summary-json",
                summary.toString());
        // A refused port's item fails too, as fetch() wants one to.
        Cli.Result insecure = fetch(engine, "certificate-beside-k", list
                + refusing.url("/c") + "\n", "--insecure");

        assertThat(refused.err()).contains("warning: the server's certificate was refused for 1 "
                + "item (their records' errors say why): --cacert FILE trusts a private CA's, "
                + "--insecure skips the check for a test server")
                .doesNotContain("no item could connect");
        assertThat(insecure.err()).doesNotContain("certificate").doesNotContain("--cacert");
        JsonNode json = Records.json(Files.readString(summary));
        assertThat(json.get("connect_tls").asLong()).isEqualTo(1);
        assertThat(json.get("connect_certificate_refused").asLong()).isEqualTo(1);
    }

    private static Cli.Result fetch(String engine, String name, String list, String... extra) {
        Path file = TestServer.write(dir.resolve(engine + "-" + name + ".txt"), list);
        List<String> args = new ArrayList<>(List.of("fetch", file.toString(), "-e", engine,
                "-q"));
        args.addAll(List.of(extra));
        if (!args.contains("--retries")) {
            args.addAll(List.of("--retries", "0"));
        }
        Cli.Result result = Cli.run(args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.SOME_FAILED);
        return result;
    }
}
