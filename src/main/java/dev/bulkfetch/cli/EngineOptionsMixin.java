package dev.bulkfetch.cli;

import dev.bulkfetch.FetchConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Timeouts and limits every command that sends requests takes, the same way. */
final class EngineOptionsMixin {

    @Option(names = "--connect-timeout", paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Longest wait for a connection (default: ${DEFAULT-VALUE}).",
            defaultValue = "5s")
    Duration connectTimeout = FetchConfig.DEFAULT_CONNECT_TIMEOUT;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Units.DurationConverter.class,
            description = "Longest time for a whole request, send to last byte "
                    + "(default: ${DEFAULT-VALUE}).", defaultValue = "30s")
    Duration timeout = FetchConfig.DEFAULT_REQUEST_TIMEOUT;

    @Option(names = "--idle-timeout", paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Longest silence while reading a response (default: ${DEFAULT-VALUE}).",
            defaultValue = "10s")
    Duration idleTimeout = FetchConfig.DEFAULT_IDLE_TIMEOUT;

    @Option(names = "--max-body", paramLabel = "SIZE", converter = Units.SizeConverter.class,
            description = "A larger response body ends the item as too_large, unbuffered "
                    + "(default: ${DEFAULT-VALUE}).", defaultValue = "10MiB")
    long maxBody = FetchConfig.DEFAULT_MAX_BODY_BYTES;

    @Option(names = "--max-redirects", paramLabel = "N",
            description = "Redirects to follow, 0 for none (default: ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int maxRedirects = FetchConfig.DEFAULT_MAX_REDIRECTS;

    /** Applies these options to {@code builder}; a bad value throws naming the option. */
    FetchConfig.Builder applyTo(FetchConfig.Builder builder) {
        return builder
                .connectTimeout(connectTimeout)
                .requestTimeout(timeout)
                .idleTimeout(idleTimeout)
                .maxBodyBytes(maxBody)
                .maxRedirects(maxRedirects);
    }
}
