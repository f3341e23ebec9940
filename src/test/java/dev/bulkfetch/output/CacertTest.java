package dev.bulkfetch.output;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * --cacert: certificates trusted in place of the JDK's authorities, for servers a private CA
 * signs, with host names still verified. Two TLS servers: one whose certificate names
 * 127.0.0.1, one whose certificate names another host; each certificate is its own CA.
 */
class CacertTest {

    @TempDir
    static Path dir;

    private static WireMockServer named;
    private static WireMockServer misnamed;
    private static Path namedPem;
    private static Path misnamedPem;

    @BeforeAll
    static void servers() throws Exception {
        namedPem = certificate("named", "ip:127.0.0.1");
        misnamedPem = certificate("misnamed", "dns:api.example.test");
        named = tlsServer("named");
        misnamed = tlsServer("misnamed");
    }

    @AfterAll
    static void stop() {
        named.stop();
        misnamed.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"event-loop", "threads", "virtual", "serial"})
    void theGivenCertificatesAreTrustedInPlaceOfTheJdksAndHostNamesStillChecked(String engine) {
        Path list = TestServer.write(dir.resolve(engine + ".txt"),
                "https://127.0.0.1:" + named.httpsPort() + "/a\n");
        Path misnamedList = TestServer.write(dir.resolve(engine + "-misnamed.txt"),
                "https://127.0.0.1:" + misnamed.httpsPort() + "/a\n");

        JsonNode trusted = fetch(list, engine, "--cacert", namedPem.toString());
        JsonNode otherCa = fetch(list, engine, "--cacert", misnamedPem.toString());
        JsonNode wrongName = fetch(misnamedList, engine, "--cacert", misnamedPem.toString());

        assertThat(trusted.get("ok").asBoolean()).as(trusted.toString()).isTrue();
        assertThat(trusted.get("status").asInt()).isEqualTo(200);
        // The server's certificate is not among those given: refused.
        assertThat(otherCa.get("error").get("kind").asText()).isEqualTo("connect");
        // Trusted, but made out to another host: refused as well.
        assertThat(wrongName.get("error").get("kind").asText()).as(wrongName.toString())
                .isEqualTo("connect");
    }

    @Test
    void aFileWithoutCertificatesOrWithInsecureIsAUsageErrorNamingTheOption() throws Exception {
        Path list = TestServer.write(dir.resolve("usage.txt"), "https://127.0.0.1:1/\n");
        Path notPem = Files.writeString(dir.resolve("not.pem"), "no certificate here\n");

        Cli.Result garbage = Cli.run("fetch", list.toString(), "--cacert", notPem.toString());
        Cli.Result missing = Cli.run("fetch", list.toString(), "--cacert",
                dir.resolve("missing.pem").toString());
        Cli.Result both = Cli.run("fetch", list.toString(), "--cacert", namedPem.toString(),
                "-k");
        // A name that starts with a dash, and a folder: the message still names the option.
        Path folder = Files.createDirectories(dir.resolve("-certs"));
        Cli.Result notAFile = Cli.run("fetch", list.toString(), "--cacert=" + folder);

        assertThat(garbage.exitCode()).isEqualTo(2);
        assertThat(garbage.err()).contains("Invalid value for option '--cacert': no certificate"
                + " could be read from " + notPem);
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Invalid value for option '--cacert': no such file");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("'--cacert': not with --insecure");
        assertThat(notAFile.exitCode()).isEqualTo(2);
        assertThat(notAFile.err()).contains("Invalid value for option '--cacert': cannot read "
                + folder);
        assertThat(garbage.out() + missing.out() + both.out()).isEmpty();
    }

    /**
     * After review: a PEM file holding a key beside the certificate (as many servers keep
     * them) was refused, where curl reads its certificates and passes over the rest.
     */
    @Test
    void otherBlocksAndTextAroundTheCertificatesArePassedOver() throws Exception {
        Path bundle = Files.writeString(dir.resolve("bundle.pem"), "# the API's CA\n"
                + "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg"
                + "\n-----END PRIVATE KEY-----\n" + Files.readString(namedPem) + "trailing\n");
        Path list = TestServer.write(dir.resolve("bundle.txt"),
                "https://127.0.0.1:" + named.httpsPort() + "/c\n");

        JsonNode record = fetch(list, "event-loop", "--cacert", bundle.toString());

        assertThat(record.get("ok").asBoolean()).as(record.toString()).isTrue();
        assertThat(FetchConfig.builder().trustedCertificates(bundle).build()
                .trustedCertificates()).hasSize(1);
    }

    @Test
    void theLibraryBuilderReadsThePemAndRefusesInsecureBeside() {
        FetchConfig config = FetchConfig.builder().trustedCertificates(namedPem).build();
        assertThat(config.trustedCertificates()).hasSize(1);
        assertThat(FetchConfig.builder().from(config).build().trustedCertificates()).hasSize(1);
        assertThat(FetchConfig.builder().build().trustedCertificates()).isEmpty();
        assertThatThrownBy(() -> FetchConfig.builder().trustedCertificates(namedPem)
                .insecure(true).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("insecure");
        assertThatThrownBy(() -> FetchConfig.builder().trustedCertificates(dir.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x");
    }

    @Test
    void aFetcherTrustsItsOwnCertificates() throws Exception {
        java.net.URI url = java.net.URI.create("https://127.0.0.1:" + named.httpsPort() + "/b");
        try (dev.bulkfetch.Fetcher trusting = dev.bulkfetch.Fetcher.builder()
                .trustedCertificates(namedPem).build();
             dev.bulkfetch.Fetcher plain = dev.bulkfetch.Fetcher.builder()
                     .retries(dev.bulkfetch.RetryPolicy.NONE).build()) {
            dev.bulkfetch.FetchResult ok = trusting.fetch(dev.bulkfetch.FetchRequest.get(1, url))
                    .get(30, TimeUnit.SECONDS);
            dev.bulkfetch.FetchResult refused = plain.fetch(dev.bulkfetch.FetchRequest.get(1,
                    url)).get(30, TimeUnit.SECONDS);

            assertThat(ok.ok()).as(String.valueOf(ok.error())).isTrue();
            assertThat(refused.ok()).isFalse();
        }
    }

    private static JsonNode fetch(Path list, String engine, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("fetch", list.toString(), "-e",
                engine, "-q", "--retries", "0"));
        args.addAll(List.of(extra));
        Cli.Result result = Cli.run(args.toArray(String[]::new));
        List<JsonNode> records = Records.parse(result.out());
        assertThat(records).as(result.err()).hasSize(1);
        return records.getFirst();
    }

    /** A self-signed certificate for {@code san}, its key in NAME.p12, its PEM returned. */
    private static Path certificate(String name, String san) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Path pem = dir.resolve(name + ".pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + name, "-ext", "SAN=" + san, "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "secret",
                "-keypass", "secret");
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(),
                "-storepass", "secret", "-file", pem.toString());
        return pem;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(
                System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(String.join(" ", command)).isZero();
    }

    private static WireMockServer tlsServer(String name) {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1")
                .dynamicPort().dynamicHttpsPort()
                .keystorePath(dir.resolve(name + ".p12").toString()).keystoreType("PKCS12")
                .keystorePassword("secret").keyManagerPassword("secret")
                .notifier(new Slf4jNotifier(false)));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("tls")));
        return server;
    }
}
