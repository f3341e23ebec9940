package dev.bulkfetch.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates trusted in place of the JDK's certificate authorities, as curl's {@code --cacert}
 * has it: for an internal API whose certificates a private CA signs, without giving up
 * verification ({@code --insecure}) or changing what the whole JVM trusts.
 */
public final class TrustedCertificates {

    private TrustedCertificates() {
    }

    /**
     * The certificates of the PEM file {@code pem} (one or more
     * {@code -----BEGIN CERTIFICATE-----} blocks).
     *
     * @throws IllegalArgumentException naming the file, when it cannot be read or holds none
     */
    public static List<X509Certificate> read(Path pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(pem)) {
            for (Certificate certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + pem, e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read " + pem + ": permission denied", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + pem + ": " + e.getMessage(), e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(pem + " is not a PEM file of certificates ("
                    + e.getMessage() + ")", e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(pem + " holds no certificate (a PEM file of "
                    + "-----BEGIN CERTIFICATE----- blocks is needed)");
        }
        return List.copyOf(certificates);
    }

    /** A factory of TLS sockets for the JDK's client that trust {@code certificates} alone. */
    static SSLSocketFactory socketFactory(List<X509Certificate> certificates) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("trusted-" + i, certificates.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("TLS could not be set up: " + e.getMessage(), e);
        }
    }
}
