package dev.bulkfetch.cli;

import static dev.bulkfetch.cli.Options.duration;
import static dev.bulkfetch.cli.Options.option;

import dev.bulkfetch.FetchConfig;
import java.time.Duration;
import picocli.CommandLine.Model.OptionSpec;

/** Timeouts and limits every command that sends requests takes, the same way. */
final class RequestOptions {

    Duration connectTimeout = FetchConfig.DEFAULT_CONNECT_TIMEOUT;
    Duration timeout = FetchConfig.DEFAULT_REQUEST_TIMEOUT;
    Duration idleTimeout = FetchConfig.DEFAULT_IDLE_TIMEOUT;
    long maxBody = FetchConfig.DEFAULT_MAX_BODY_BYTES;
    int maxRedirects = FetchConfig.DEFAULT_MAX_REDIRECTS;

    /** A timeout: a duration whose 0 is refused, saying that none turns it off. */
    private static OptionSpec.Builder timeout(String name) {
        return duration(name).converters(new Units.DurationConverter(Units.NO_NO_TIMEOUT));
    }

    /** Declares these options on a command. */
    void addTo(Options options) {
        options.add(timeout("--connect-timeout").defaultValue("5s")
                        .description("Longest wait for a connection (default: ${DEFAULT-VALUE})."),
                        () -> connectTimeout, v -> connectTimeout = v)
                .add(timeout("--timeout").defaultValue("30s")
                        .description("Longest time for a whole request, send to last byte "
                                + "(default: ${DEFAULT-VALUE})."),
                        () -> timeout, v -> timeout = v)
                .add(timeout("--idle-timeout").defaultValue("10s")
                        .description("Longest silence while reading a response "
                                + "(default: ${DEFAULT-VALUE})."),
                        () -> idleTimeout, v -> idleTimeout = v)
                .add(option("--max-body").paramLabel("SIZE").type(long.class)
                        .converters(new Units.SizeConverter()).defaultValue("10MiB")
                        .description("A larger response body ends the item as too_large, "
                                + "unbuffered (default: ${DEFAULT-VALUE})."),
                        () -> maxBody, v -> maxBody = v)
                .add(option("--max-redirects").paramLabel("N").type(int.class)
                        .defaultValue(String.valueOf(FetchConfig.DEFAULT_MAX_REDIRECTS))
                        .description("Redirects to follow, 0 for none "
                                + "(default: ${DEFAULT-VALUE})."),
                        () -> maxRedirects, v -> maxRedirects = v);
    }

    /** Applies these options to {@code builder}; a bad value throws naming the option. */
    FetchConfig.Builder applyTo(FetchConfig.Builder builder) {
        Options.named("--connect-timeout", () -> builder.connectTimeout(connectTimeout));
        Options.named("--timeout", () -> builder.requestTimeout(timeout));
        Options.named("--idle-timeout", () -> builder.idleTimeout(idleTimeout));
        Options.named("--max-body", () -> builder.maxBodyBytes(maxBody));
        return Options.named("--max-redirects", () -> builder.maxRedirects(maxRedirects));
    }
}
