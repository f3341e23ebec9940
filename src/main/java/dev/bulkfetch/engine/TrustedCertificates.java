package dev.bulkfetch.engine;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Certificates trusted in place of the JDK's certificate authorities, as curl's {@code --cacert}
 * has it: for an internal API whose certificates a private CA signs, without giving up
 * verification ({@code --insecure}) or changing what the whole JVM trusts. The certificates
 * come read (FetchConfig reads the file): an engine reads no files.
 */
final class TrustedCertificates {

    private TrustedCertificates() {
    }

    /** A factory of TLS sockets for the JDK's client that trust {@code certificates} alone. */
    static SSLSocketFactory socketFactory(List<X509Certificate> certificates) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager(certificates)}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS could not be set up: " + e.getMessage(), e);
        }
    }

    /**
     * Trust in {@code certificates} alone, for either client: the JDK's PKIX, and the dates of
     * the certificate from the file that a path ends at, which PKIX does not check ({@link
     * DatedAnchors}).
     */
    static X509ExtendedTrustManager trustManager(List<X509Certificate> certificates) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("trusted-" + i, certificates.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            for (TrustManager manager : trust.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager pkix) {
                    return new DatedAnchors(pkix, certificates);
                }
            }
            throw new IllegalStateException("TLS could not be set up: the JDK's "
                    + TrustManagerFactory.getDefaultAlgorithm() + " gave no X.509 trust");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("TLS could not be set up: " + e.getMessage(), e);
        }
    }
}
