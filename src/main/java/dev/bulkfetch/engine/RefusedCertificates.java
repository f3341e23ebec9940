package dev.bulkfetch.engine;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server certificate the TLS handshake refused, in plain words, the same on every engine.
 * Both clients pass on the JDK's: "(certificate_unknown) PKIX path building failed:
 * sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid
 * certification path to requested target" for a certificate no trusted authority signed,
 * which told a user neither what was wrong nor that it was the certificate. As {@link
 * Timeouts} and {@link Wording} do, this says the fault, not an option's name: the record is
 * the library's as much as the command line's, and the CLI names its options where it speaks
 * (the warning of a run none of whose items connected).
 *
 * <p>Told from the exceptions down the cause chain, not from their words: the JDK's validator
 * wraps a {@link CertPathBuilderException} for a certificate it found no trusted path to, and a
 * {@link CertPathValidatorException} caused by an expired (or not yet valid) certificate; its
 * host name check throws a bare {@link CertificateException}, whose words are the only sign.
 */
final class RefusedCertificates {

    private static final String UNTRUSTED =
            "the server's certificate is not trusted (no trusted certificate authority signed it)";

    // sun.security.util.HostnameChecker's words, the host they name in group 1.
    private static final Pattern OTHER_HOST = Pattern.compile("No (?:subject alternative "
            + "(?:names|DNS name)|name) matching (?:IP address )?(.+?) found\\.?");

    private RefusedCertificates() {
    }

    /** Why {@code thrown}'s handshake refused the server's certificate; null if it did not. */
    static String of(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException
                    || t instanceof CertificateNotYetValidException) {
                return outOfDate(thrown, t instanceof CertificateExpiredException);
            }
        }
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof CertPathBuilderException) {
                return UNTRUSTED;
            }
            if (t instanceof CertificateException) {
                Matcher host = OTHER_HOST.matcher(String.valueOf(t.getMessage()));
                if (host.matches()) {
                    return "the server's certificate is another host's: it does not name "
                            + host.group(1);
                }
            }
        }
        return null;
    }

    /**
     * A certificate out of its dates ({@code expired}, else not yet valid): the server's own,
     * or one in its chain, as the validator's exception tells, with the date where it does.
     */
    private static String outOfDate(Throwable thrown, boolean expired) {
        String which = "the server's certificate";
        Instant date = null;
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof CertPathValidatorException invalid && invalid.getCertPath() != null
                    && invalid.getIndex() >= 0 && invalid.getIndex()
                            < invalid.getCertPath().getCertificates().size()) {
                if (invalid.getIndex() > 0) {
                    which = "a certificate in the server's chain";
                }
                if (invalid.getCertPath().getCertificates().get(invalid.getIndex())
                        instanceof X509Certificate certificate) {
                    date = (expired ? certificate.getNotAfter() : certificate.getNotBefore())
                            .toInstant();
                }
                break;
            }
        }
        return expired ? which + " expired" + (date == null ? "" : " on " + date)
                : which + " is not valid yet" + (date == null ? "" : " (from " + date + ")")
                        + ": is this computer's clock right?";
    }
}
