package dev.bulkfetch.cli;

import static dev.bulkfetch.cli.Options.flag;
import static dev.bulkfetch.cli.Options.option;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.Rate;
import dev.bulkfetch.RetryPolicy;
import java.time.Duration;

/** What keeps a run under the server's limits: rates, per-host caps, retries. */
final class LimitOptions {

    String rate;
    int perHost;
    String ratePerHost;
    int retries = 2;
    String backoff = "200ms..30s";
    String retryOn;
    boolean retryUnsafe;

    /** Declares these options on a command. */
    void addTo(Options options) {
        options.add(option("--rate").paramLabel("N/s").type(String.class)
                        .description("At most N requests start per second (also N/min, N/h), "
                                + "retries and redirects included; a 429 lowers it until "
                                + "the server stops refusing."),
                        () -> rate, v -> rate = v)
                .add(option("--per-host").paramLabel("N").type(int.class)
                        .description("At most N requests in flight to one host, beside -c "
                                + "(default: none)."),
                        () -> perHost, v -> perHost = v)
                .add(option("--rate-per-host").paramLabel("N/s").type(String.class)
                        .description("At most N requests start per second to one host."),
                        () -> ratePerHost, v -> ratePerHost = v)
                .add(option("--retries").paramLabel("N").type(int.class).defaultValue("2")
                        .description("Retries of a transient failure (default: ${DEFAULT-VALUE})."),
                        () -> retries, v -> retries = v)
                .add(option("--backoff").paramLabel("MIN..MAX").type(String.class)
                        .defaultValue("200ms..30s")
                        .description("Exponential backoff with full jitter between MIN and MAX "
                                + "(default: ${DEFAULT-VALUE}); a Retry-After header waits at "
                                + "least that."),
                        () -> backoff, v -> backoff = v)
                .add(option("--retry-on").paramLabel("LIST").type(String.class)
                        .description("What is retried (default: connect,reset,timeout,429,502,"
                                + "503,504): error kinds timeout, connect, reset, protocol; "
                                + "statuses like 503 or 5xx. For no retries: --retries 0."),
                        () -> retryOn, v -> retryOn = v)
                .add(flag("--retry-unsafe")
                        .description("Retry POST, PATCH and other requests that are not "
                                + "idempotent for all of --retry-on, though the server may have "
                                + "acted on them (an API with idempotency keys). Without it "
                                + "they go again only after a connect error, 429 or 503."),
                        () -> retryUnsafe, v -> retryUnsafe = v);
    }

    /** Applies these options; a bad value throws naming the option. */
    FetchConfig.Builder applyTo(FetchConfig.Builder builder) {
        builder.rate(parseRate("--rate", rate));
        builder.ratePerHost(parseRate("--rate-per-host", ratePerHost));
        Options.named("--per-host", () -> builder.perHost(perHost));
        String[] range = backoff.split("\\.\\.", -1);
        if (range.length != 2) {
            throw new IllegalArgumentException("--backoff: '" + backoff
                    + "' is not a range: write it like 200ms..30s");
        }
        Duration min = Options.named("--backoff", () -> Units.parseDuration(range[0]));
        Duration max = Options.named("--backoff", () -> Units.parseDuration(range[1]));
        if (retries < 0 || retries > 100) {
            throw new IllegalArgumentException("--retries: must be 0 to 100: " + retries);
        }
        if (min.compareTo(max) > 0) {
            throw new IllegalArgumentException("--backoff: '" + backoff
                    + "' must be MIN..MAX with MIN <= MAX");
        }
        RetryPolicy policy = new RetryPolicy(retries, min, max, RetryPolicy.DEFAULT_KINDS,
                RetryPolicy.DEFAULT_STATUSES, retryUnsafe);
        return builder.retries(retryOn == null ? policy
                : Options.named("--retry-on", () -> policy.withRetryOn(retryOn)));
    }

    private static Rate parseRate(String option, String text) {
        return text == null ? null : Options.named(option, () -> Rate.parse(text));
    }
}
