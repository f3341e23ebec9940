package dev.bulkfetch.engine;

import static dev.bulkfetch.engine.EngineContract.fetch;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.testing.TestCertificates;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A certificate the handshake refuses reads the same plain words on every engine, where each
 * passed on the JDK's: "(certificate_unknown) PKIX path building failed:
 * sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid
 * certification path to requested target". The words are the library's: they name no option
 * of the command line (whose warning names --cacert and --insecure).
 */
class RefusedCertificateContractTest {

    @TempDir
    static Path dir;

    private static WireMockServer selfSigned;
    private static WireMockServer otherHost;
    private static WireMockServer expired;
    private static WireMockServer notYetValid;
    private static Path otherHostPem;
    private static Path expiredCa;
    private static Path notYetValidCa;
    private static WireMockServer expiredSelfSigned;
    private static WireMockServer earlySelfSigned;
    private static WireMockServer signedByExpiredCa;
    private static Path expiredSelfSignedPem;
    private static Path earlySelfSignedPem;
    private static Path expiredCaPem;

    @BeforeAll
    static void servers() throws Exception {
        TestCertificates certificates = new TestCertificates(dir);
        certificates.selfSigned("self", "ip:127.0.0.1");
        otherHostPem = certificates.selfSigned("other", "dns:api.example.test");
        // Valid for two days ten days ago, and for two days from ten days on.
        expiredCa = certificates.signedByOwnCa("expired", "-10d", 2);
        notYetValidCa = certificates.signedByOwnCa("early", "+10d", 2);
        selfSigned = certificates.server("self");
        otherHost = certificates.server("other");
        expired = certificates.server("expired");
        notYetValid = certificates.server("early");
        expiredSelfSignedPem = certificates.selfSigned("old-self", "ip:127.0.0.1", "-10d", 2);
        earlySelfSignedPem = certificates.selfSigned("early-self", "ip:127.0.0.1", "+10d", 2);
        // The CA valid for two days ten days ago; the certificate it signed valid now.
        expiredCaPem = certificates.signedByOwnCa("old-ca", "-10d", 2, "+0d", 2);
        expiredSelfSigned = certificates.server("old-self");
        earlySelfSigned = certificates.server("early-self");
        signedByExpiredCa = certificates.server("old-ca");
    }

    @AfterAll
    static void stop() {
        for (WireMockServer server : new WireMockServer[] {selfSigned, otherHost, expired,
                notYetValid, expiredSelfSigned, earlySelfSigned, signedByExpiredCa}) {
            server.stop();
        }
    }

    @ParameterizedTest
    @EnumSource
    void aRefusedCertificateSaysWhyInPlainWords(EngineKind kind) throws Exception {
        FetchError untrusted = fetch(kind, url(selfSigned)).error();
        FetchError anotherCa = fetch(kind, url(selfSigned), trusting(otherHostPem)).error();
        FetchError wrongHost = fetch(kind, url(otherHost), trusting(otherHostPem)).error();
        FetchError outOfDate = fetch(kind, url(expired), trusting(expiredCa)).error();
        FetchError early = fetch(kind, url(notYetValid), trusting(notYetValidCa)).error();

        String notTrusted = "could not connect: the server's certificate is not trusted (no "
                + "trusted certificate authority signed it)";
        assertThat(untrusted).isEqualTo(FetchError.of(ErrorKind.CONNECT, notTrusted));
        assertThat(anotherCa).isEqualTo(FetchError.of(ErrorKind.CONNECT, notTrusted));
        assertThat(wrongHost).isEqualTo(FetchError.of(ErrorKind.CONNECT, "could not connect: "
                + "the server's certificate is another host's: it does not name 127.0.0.1"));
        assertThat(outOfDate.kind()).isEqualTo(ErrorKind.CONNECT);
        assertThat(outOfDate.message()).matches("could not connect: the server's certificate "
                + "expired on \\d{4}-\\d\\d-\\d\\dT[0-9:]+Z");
        assertThat(early.message()).matches("could not connect: the server's certificate is "
                + "not valid yet \\(from \\d{4}-\\d\\d-\\d\\dT[0-9:]+Z\\): is this computer's"
                + " clock right\\?");
    }

    /**
     * A certificate from the file that the path ends at, its trust anchor, is refused out of
     * its dates on every engine, as curl refuses it: the JDK checks no anchor's dates, and
     * took a self-signed server certificate given to --cacert, or an expired CA that signed a
     * valid certificate, whatever their dates.
     */
    @ParameterizedTest
    @EnumSource
    void aTrustedCertificateOutOfItsDatesIsRefused(EngineKind kind) throws Exception {
        FetchError expiredSelf = fetch(kind, url(expiredSelfSigned),
                trusting(expiredSelfSignedPem)).error();
        FetchError earlySelf = fetch(kind, url(earlySelfSigned),
                trusting(earlySelfSignedPem)).error();
        FetchError underExpiredCa = fetch(kind, url(signedByExpiredCa),
                trusting(expiredCaPem)).error();
        Outcome valid = fetch(kind, url(otherHost), trusting(otherHostPem));

        assertThat(expiredSelf).isEqualTo(FetchError.of(ErrorKind.CONNECT, "could not connect: "
                + "the server's certificate expired on " + notAfter(expiredSelfSignedPem)));
        assertThat(earlySelf).isEqualTo(FetchError.of(ErrorKind.CONNECT, "could not connect: "
                + "the server's certificate is not valid yet (from "
                + notBefore(earlySelfSignedPem) + "): is this computer's clock right?"));
        assertThat(underExpiredCa).isEqualTo(FetchError.of(ErrorKind.CONNECT, "could not "
                + "connect: a certificate in the server's chain expired on "
                + notAfter(expiredCaPem)));
        // Trusted, in its dates: only the host is wrong.
        assertThat(valid.error().message()).contains("another host's");
    }

    private static Instant notAfter(Path pem) throws Exception {
        return certificate(pem).getNotAfter().toInstant();
    }

    private static Instant notBefore(Path pem) throws Exception {
        return certificate(pem).getNotBefore().toInstant();
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        }
    }

    private static String url(WireMockServer server) {
        return "https://127.0.0.1:" + server.httpsPort() + "/";
    }

    private static EngineOptions trusting(Path pem) {
        return EngineOptions.of(FetchConfig.builder().trustedCertificates(pem).build());
    }
}
