package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = RetryPolicy.defaults();

    @Test
    void transientFailuresAreRetriedAndOther4xxAreNot() {
        assertThat(policy.retries(null, ErrorKind.CONNECT)).isTrue();
        assertThat(policy.retries(null, ErrorKind.RESET)).isTrue();
        assertThat(policy.retries(null, ErrorKind.TIMEOUT)).isTrue();
        assertThat(policy.retries(null, ErrorKind.PROTOCOL)).isFalse();
        for (int status : new int[] {429, 502, 503, 504}) {
            assertThat(policy.retries(status, null)).as("status " + status).isTrue();
        }
        for (int status : new int[] {200, 400, 401, 403, 404, 500}) {
            assertThat(policy.retries(status, null)).as("status " + status).isFalse();
        }
    }

    @Test
    void backoffIsFullJitterUnderAnExponentialCeilingCappedAtTheMaximum() {
        assertThat(policy.delayNanos(1, 0, () -> 1.0)).isEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(policy.delayNanos(3, 0, () -> 1.0)).isEqualTo(Duration.ofMillis(800).toNanos());
        assertThat(policy.delayNanos(20, 0, () -> 1.0)).isEqualTo(Duration.ofSeconds(30).toNanos());
        assertThat(policy.delayNanos(3, 0, () -> 0.5)).isEqualTo(Duration.ofMillis(400).toNanos());
        assertThat(policy.delayNanos(3, 0, () -> 0.0)).isZero();
    }

    @Test
    void retryAfterIsAFloorUnderTheJitter() {
        long second = Duration.ofSeconds(1).toNanos();
        assertThat(policy.delayNanos(1, second, () -> 0.1)).isEqualTo(second);
    }

    @Test
    void retryOnNamesKindsStatusesAndClasses() {
        RetryPolicy custom = policy.withRetryOn("timeout, 5xx, 404");
        assertThat(custom.retries(500, null)).isTrue();
        assertThat(custom.retries(404, null)).isTrue();
        assertThat(custom.retries(429, null)).isFalse();
        assertThat(custom.retries(null, ErrorKind.TIMEOUT)).isTrue();
        assertThat(custom.retries(null, ErrorKind.RESET)).isFalse();
        assertThatThrownBy(() -> policy.withRetryOn("sometimes")).hasMessageContaining(
                "sometimes");
    }

    /**
     * '' was taken as "retry nothing" and '5xx,' as '5xx', without a word: a list cut short
     * by a shell variable, or an entry lost to a typo, changed what was retried unseen.
     */
    @Test
    void retryOnRefusesAnEmptyListAndAnEmptyEntryQuotingTheList() {
        for (String empty : new String[] {"", " "}) {
            assertThatThrownBy(() -> policy.withRetryOn(empty)).as("'%s'", empty)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + empty + "' names nothing to retry");
        }
        for (String list : new String[] {"5xx,", ",5xx", "5xx,,503", "5xx, ", ","}) {
            assertThatThrownBy(() -> policy.withRetryOn(list)).as(list)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + list + "' has an empty entry");
        }
    }

    /** A success retried is the same request sent three times over, for nothing. */
    @Test
    void retryOnRefusesStatusesThatAreNoFailure() {
        for (String success : new String[] {"200", "2xx", "204", "1xx", "101", "099", "600"}) {
            assertThatThrownBy(() -> policy.withRetryOn("timeout," + success))
                    .as(success).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + success + "' is not retryable")
                    .hasMessageContaining("300 to 599");
        }
        assertThat(policy.withRetryOn("3xx, 599").retries(307, null)).isTrue();
    }

    /** The constructor keeps the rule --retry-on keeps; it took 200, 99999 and HTTP. */
    @Test
    void aPolicyBuiltDirectlyRefusesWhatIsNoFailureOfTheExchange() {
        java.time.Duration base = java.time.Duration.ofMillis(100);
        assertThatThrownBy(() -> new RetryPolicy(1, base, base, RetryPolicy.DEFAULT_KINDS,
                java.util.Set.of(200))).hasMessageContaining("status 200 is not retryable");
        assertThatThrownBy(() -> new RetryPolicy(1, base, base, RetryPolicy.DEFAULT_KINDS,
                java.util.Set.of(99999))).hasMessageContaining("status 99999");
        assertThatThrownBy(() -> new RetryPolicy(1, base, base,
                java.util.Set.of(ErrorKind.HTTP), RetryPolicy.DEFAULT_STATUSES))
                .hasMessageContaining("kind HTTP is not retryable");
        assertThatThrownBy(() -> new RetryPolicy(1, null, base, RetryPolicy.DEFAULT_KINDS,
                RetryPolicy.DEFAULT_STATUSES)).hasMessageContaining("base");
    }
    @Test
    void aRequestThatIsNotIdempotentGoesAgainOnlyWhenTheServerCannotHaveActedOnIt() {
        RetryPolicy policy = RetryPolicy.defaults();
        FetchRequest post = new FetchRequest(1, null, java.net.URI.create("http://h.test/"),
                "POST", java.util.Map.of(), new byte[] {1});
        FetchRequest put = new FetchRequest(1, null, java.net.URI.create("http://h.test/"),
                "PUT", java.util.Map.of(), new byte[] {1});

        assertThat(policy.retries(post, false, null, ErrorKind.CONNECT)).isTrue();
        assertThat(policy.retries(post, false, 429, null)).isTrue();
        assertThat(policy.retries(post, false, 503, null)).isTrue();
        assertThat(policy.retries(post, false, null, ErrorKind.RESET)).isFalse();
        assertThat(policy.retries(post, false, null, ErrorKind.TIMEOUT)).isFalse();
        assertThat(policy.retries(post, false, 502, null)).isFalse();
        assertThat(policy.retries(post, false, 504, null)).isFalse();
        assertThat(policy.retries(put, false, null, ErrorKind.TIMEOUT)).isTrue();
        assertThat(policy.retries(put, false, 502, null)).isTrue();
        // Asked for: all that the policy retries, and still nothing it does not.
        RetryPolicy unsafe = policy.withUnsafeMethods(true);
        assertThat(unsafe.retries(post, false, null, ErrorKind.TIMEOUT)).isTrue();
        assertThat(unsafe.retries(post, false, 502, null)).isTrue();
        assertThat(unsafe.retries(post, false, 404, null)).isFalse();
        assertThat(policy.withRetryOn("timeout").retries(post, false, 503, null)).isFalse();
        assertThat(unsafe.withRetryOn("timeout").unsafeMethods()).isTrue();
        // Redirected (a 303 to a page that then answered 503): the POST itself was answered.
        assertThat(policy.retries(post, true, 503, null)).isFalse();
        assertThat(policy.retries(post, true, null, ErrorKind.CONNECT)).isFalse();
        assertThat(policy.retries(put, true, 503, null)).isTrue();
    }

    /**
     * From an exploratory tester: a 429 or 503 whose body was cut keeps its status beside the
     * cut's error, and only the error's kind was asked: a cut 503 went unretried under a
     * --retry-on listing 503 but not protocol. The status retries it too; for a POST it is a
     * refusal, as a whole one; a 200 cut short is still retried only for its cut.
     */
    @Test
    void aStatusCutShortIsRetriedForItsStatusAsWellAsForItsError() {
        RetryPolicy policy = RetryPolicy.defaults();
        FetchRequest get = new FetchRequest(1, null, java.net.URI.create("http://h.test/"),
                "GET", java.util.Map.of(), null);
        FetchRequest post = new FetchRequest(1, null, java.net.URI.create("http://h.test/"),
                "POST", java.util.Map.of(), new byte[] {1});

        assertThat(policy.retries(503, ErrorKind.PROTOCOL)).isTrue();
        assertThat(policy.retries(429, ErrorKind.PROTOCOL)).isTrue();
        assertThat(policy.retries(200, ErrorKind.PROTOCOL)).isFalse();
        assertThat(policy.retries(200, ErrorKind.RESET)).isTrue();
        assertThat(policy.withRetryOn("503").retries(503, ErrorKind.TIMEOUT)).isTrue();
        assertThat(policy.withRetryOn("timeout").retries(404, ErrorKind.TIMEOUT)).isTrue();
        assertThat(policy.withRetryOn("timeout").retries(503, ErrorKind.PROTOCOL)).isFalse();
        assertThat(policy.retries(get, false, 503, ErrorKind.PROTOCOL)).isTrue();
        // A POST answered 429 or 503 was refused, cut or not; a 502 or a 200 may have acted.
        assertThat(policy.retries(post, false, 429, ErrorKind.RESET)).isTrue();
        assertThat(policy.retries(post, false, 503, ErrorKind.TIMEOUT)).isTrue();
        assertThat(policy.retries(post, false, 502, ErrorKind.RESET)).isFalse();
        assertThat(policy.retries(post, false, 200, ErrorKind.RESET)).isFalse();
        assertThat(policy.withRetryOn("reset").retries(post, false, 503, ErrorKind.RESET))
                .as("503 not listed; a reset retries a POST only when nothing was sent").isFalse();
        assertThat(policy.retries(post, true, 503, ErrorKind.RESET)).isFalse();
    }
}
