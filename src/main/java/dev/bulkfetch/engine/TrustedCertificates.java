package dev.bulkfetch.engine;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

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
