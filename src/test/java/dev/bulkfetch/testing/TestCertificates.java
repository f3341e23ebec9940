package dev.bulkfetch.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made with the JDK's keytool into a folder, and WireMock TLS servers on
 * 127.0.0.1 that present them: self-signed ones, and a server's signed by a CA of its own with
 * dates of the test's choosing (keytool's {@code -startdate}, as {@code -10d}).
 */
public final class TestCertificates {

    private static final String PASSWORD = "secret";
    private final Path dir;

    public TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** A self-signed certificate for {@code san} ({@code ip:127.0.0.1}), its PEM returned. */
    public Path selfSigned(String name, String san) throws IOException {
        return selfSigned(name, san, "+0d", 2);
    }

    /**
     * As {@link #selfSigned(String, String)}, valid for {@code days} from {@code startDate}
     * (keytool's {@code -startdate}, as {@code -10d}).
     */
    public Path selfSigned(String name, String san, String startDate, int days)
            throws IOException {
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + name, "-ext", "SAN=" + san, "-startdate", startDate,
                "-validity", Integer.toString(days), "-keystore", store(name), "-storetype",
                "PKCS12", "-storepass", PASSWORD);
        return exported(name, "server");
    }

    /**
     * A certificate for 127.0.0.1 valid for {@code days} from {@code startDate}, signed by a
     * CA of its own (valid now), in {@code name}'s store with the CA; the CA's PEM returned.
     */
    public Path signedByOwnCa(String name, String startDate, int days) throws IOException {
        return signedByOwnCa(name, "+0d", 30, startDate, days);
    }

    /**
     * As {@link #signedByOwnCa(String, String, int)}, the CA valid for {@code caDays} from
     * {@code caStartDate} (a CA out of its dates signs all the same).
     */
    public Path signedByOwnCa(String name, String caStartDate, int caDays, String startDate,
                              int days) throws IOException {
        String ca = name + "-ca";
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + ca, "-ext", "bc:c", "-startdate", caStartDate, "-validity",
                Integer.toString(caDays), "-keystore", store(ca), "-storetype", "PKCS12",
                "-storepass", PASSWORD);
        Path caPem = exported(ca, "ca");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + name, "-keystore", store(name), "-storetype", "PKCS12",
                "-storepass", PASSWORD);
        String request = dir.resolve(name + ".csr").toString();
        String signed = dir.resolve(name + "-signed.pem").toString();
        keytool("-certreq", "-alias", "server", "-keystore", store(name), "-storepass",
                PASSWORD, "-file", request);
        keytool("-gencert", "-alias", "ca", "-keystore", store(ca), "-storepass", PASSWORD,
                "-infile", request, "-outfile", signed, "-rfc", "-startdate", startDate,
                "-validity", Integer.toString(days), "-ext", "SAN=ip:127.0.0.1");
        keytool("-importcert", "-alias", "ca", "-noprompt", "-file", caPem.toString(),
                "-keystore", store(name), "-storepass", PASSWORD);
        keytool("-importcert", "-alias", "server", "-file", signed, "-keystore", store(name),
                "-storepass", PASSWORD);
        return caPem;
    }

    /** A started WireMock server whose HTTPS port presents {@code name}'s certificate. */
    public WireMockServer server(String name) {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1")
                .dynamicPort().dynamicHttpsPort().keystorePath(store(name))
                .keystoreType("PKCS12").keystorePassword(PASSWORD).keyManagerPassword(PASSWORD)
                .notifier(new Slf4jNotifier(false)));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("tls")));
        return server;
    }

    private String store(String name) {
        return dir.resolve(name + ".p12").toString();
    }

    private Path exported(String name, String alias) throws IOException {
        Path pem = dir.resolve(name + ".pem");
        keytool("-exportcert", "-rfc", "-alias", alias, "-keystore", store(name),
                "-storepass", PASSWORD, "-file", pem.toString());
        return pem;
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(
                System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                throw new IOException("failed: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
