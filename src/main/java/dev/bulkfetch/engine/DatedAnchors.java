package dev.bulkfetch.engine;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust in certificates from a file ({@code --cacert}) that refuses a chain whose trust anchor
 * is out of its dates, as curl does ("certificate has expired"). The JDK's PKIX checks the
 * dates of every certificate in the path but its anchor's: a self-signed server certificate
 * given to {@code --cacert}, or an expired CA that signed a valid certificate, was taken
 * whatever its dates.
 *
 * <p>After the JDK's checks pass (the host's name among them), this finds the anchor the path
 * ended at and checks its dates, refusing it in the validator's own shape, a {@link
 * CertPathValidatorException} with the anchor's place in the path: {@link RefusedCertificates}
 * words it as it words any other certificate out of its dates. A chain that more than one
 * certificate of the file could anchor (a CA renewed with its key) is refused only when none
 * is in its dates, as the JDK may have taken any of them.
 */
final class DatedAnchors extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager pkix;
    private final List<X509Certificate> trusted;

    DatedAnchors(X509ExtendedTrustManager pkix, List<X509Certificate> trusted) {
        this.pkix = pkix;
        this.trusted = List.copyOf(trusted);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
        checkAnchor(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
        checkAnchor(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
        checkAnchor(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }

    /**
     * Refuses {@code chain}, which the JDK took, when its anchor is out of its dates. The JDK's
     * path ends at the first certificate of the chain that the file holds (the server's own,
     * self-signed, or a CA the server sent along), else at one of the file's that signed the
     * chain's last.
     */
    private void checkAnchor(X509Certificate[] chain) throws CertificateException {
        Date now = new Date();
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate certificate : chain) {
            path.add(certificate);
            if (trusted.contains(certificate)) {
                refuseOutOfDate(certificate, path, now);
                return;
            }
        }
        X509Certificate last = chain[chain.length - 1];
        List<X509Certificate> issuers = trusted.stream()
                .filter(issuer -> signed(issuer, last)).toList();
        if (issuers.isEmpty() || issuers.stream().anyMatch(issuer -> inDates(issuer, now))) {
            return;
        }
        path.add(issuers.getFirst());
        refuseOutOfDate(issuers.getFirst(), path, now);
    }

    /** Refuses {@code anchor}, the last of {@code path}, when it is out of its dates. */
    private static void refuseOutOfDate(X509Certificate anchor, List<X509Certificate> path,
                                        Date now) throws CertificateException {
        try {
            anchor.checkValidity(now);
        } catch (CertificateException outOfDate) {
            CertPathValidatorException invalid;
            try {
                invalid = new CertPathValidatorException(outOfDate.getMessage(), outOfDate,
                        CertificateFactory.getInstance("X.509").generateCertPath(path),
                        path.size() - 1, outOfDate instanceof CertificateExpiredException
                                ? CertPathValidatorException.BasicReason.EXPIRED
                                : CertPathValidatorException.BasicReason.NOT_YET_VALID);
            } catch (CertificateException noPath) {
                outOfDate.addSuppressed(noPath);
                throw outOfDate;
            }
            throw new CertificateException("a trusted certificate is out of its dates: "
                    + outOfDate.getMessage(), invalid);
        }
    }

    private static boolean inDates(X509Certificate certificate, Date now) {
        try {
            certificate.checkValidity(now);
            return true;
        } catch (CertificateException outOfDate) {
            return false;
        }
    }

    private static boolean signed(X509Certificate issuer, X509Certificate certificate) {
        if (!issuer.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
            return false;
        }
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException notItsSignature) {
            return false;
        }
    }
}
