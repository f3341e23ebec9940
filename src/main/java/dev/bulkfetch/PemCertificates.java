package dev.bulkfetch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The certificates of a PEM file, for {@code --cacert} and {@code trustedCertificates(Path)}. */
final class PemCertificates {

    private PemCertificates() {
    }

    /** Larger files are refused rather than read whole: a CA bundle is a few hundred KiB. */
    private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;
    private static final Pattern CERTIFICATE_BLOCK = Pattern.compile(
            "-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", Pattern.DOTALL);

    /**
     * The certificates of {@code pem}: its {@code -----BEGIN CERTIFICATE-----} blocks, other
     * blocks (a private key, a request) and text around them passed over as curl does; or a
     * single DER certificate.
     *
     * @throws IllegalArgumentException naming the file, when it cannot be read or holds none
     */
    static List<X509Certificate> read(Path pem) {
        byte[] bytes;
        try {
            if (Files.size(pem) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("not a file of certificates: " + pem
                        + " is larger than " + MAX_FILE_BYTES / (1024 * 1024) + " MiB");
            }
            bytes = Files.readAllBytes(pem);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + pem, e);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read " + pem + ": permission denied", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + pem + ": " + e.getMessage(), e);
        }
        StringBuilder blocks = new StringBuilder();
        Matcher block = CERTIFICATE_BLOCK.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        while (block.find()) {
            blocks.append(block.group()).append('\n');
        }
        byte[] certificates = blocks.isEmpty() ? bytes
                : blocks.toString().getBytes(StandardCharsets.ISO_8859_1);
        List<X509Certificate> read = new ArrayList<>();
        try {
            for (Certificate certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(certificates))) {
                read.add((X509Certificate) certificate);
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("no certificate could be read from " + pem
                    + " (" + e.getMessage() + "); a PEM file of -----BEGIN CERTIFICATE----- "
                    + "blocks is needed", e);
        }
        if (read.isEmpty()) {
            throw new IllegalArgumentException("no certificate in " + pem + " (a PEM file of "
                    + "-----BEGIN CERTIFICATE----- blocks is needed)");
        }
        return List.copyOf(read);
    }
}
