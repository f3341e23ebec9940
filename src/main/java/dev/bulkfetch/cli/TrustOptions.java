package dev.bulkfetch.cli;

import static dev.bulkfetch.cli.Options.flag;
import static dev.bulkfetch.cli.Options.option;

import dev.bulkfetch.FetchConfig;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What TLS trusts, -k and --cacert, as fetch and compare take them. */
final class TrustOptions {

    boolean insecure;
    Path cacert;

    /** Declares these options on a command. */
    void addTo(Options options) {
        options.add(flag("-k", "--insecure")
                        .description("Accept any TLS certificate and host name. Certificates "
                                + "are verified unless this is given."),
                        () -> insecure, v -> insecure = v)
                .add(option("--cacert").paramLabel("FILE").type(Path.class)
                        .description("Trust the certificates of the PEM file FILE in place of "
                                + "the JDK's certificate authorities, as curl does (for a "
                                + "private CA); host names are still verified."),
                        () -> cacert, v -> cacert = v);
    }

    /** Applies these options to {@code builder}; a bad value is a usage error naming it. */
    FetchConfig.Builder applyTo(FetchConfig.Builder builder, CommandSpec spec) {
        Options.refuseEmptyName(spec, "--cacert", cacert);
        if (cacert != null && insecure) {
            throw new ParameterException(spec.commandLine(), Options.invalidValue("--cacert",
                    "not with --insecure, which accepts any certificate"));
        }
        try {
            builder.trustedCertificates(cacert);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(),
                    Options.invalidValue("--cacert", e.getMessage()));
        }
        return builder.insecure(insecure);
    }

    /** The option that widened what TLS trusts, {@code --insecure} or {@code --cacert}, or null. */
    String widenedBy() {
        return insecure ? "--insecure" : cacert != null ? "--cacert" : null;
    }
}
