package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * --deny-private at the engines. Every server a test can run is on a private address, so a
 * public URL redirecting to one cannot be staged here: the redirect's check is shown on the
 * guard the engines call after each redirect, and the engines' own check on a first request.
 */
class HostGuardTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    private static EngineOptions denying(boolean deny) {
        return new EngineOptions(4, Duration.ofSeconds(2), Duration.ofSeconds(5),
                Duration.ofSeconds(2), 10_000, 3, null, false, deny);
    }

    /**
     * The input layer checked only the items' own URLs; a redirect went anywhere. A refused
     * redirect is a protocol error, as one to an ftp: URL is: its first hop was sent.
     */
    @Test
    void aRedirectToAPrivateHostIsRefusedAsAProtocolError() throws Exception {
        HostGuard guard = HostGuard.of(denying(true));
        assertThatThrownBy(() -> guard.checkRedirect(URI.create("http://169.254.169.254/latest")))
                .isInstanceOf(HostGuard.Denied.class)
                .hasMessageStartingWith("redirect refused: host 169.254.169.254 resolves to")
                .hasMessageEndingWith(": http://169.254.169.254/latest");
        // The shared address space, where one cloud keeps its metadata (100.100.100.200).
        assertThatThrownBy(() -> guard.checkRedirect(URI.create("http://100.100.100.200/")))
                .isInstanceOf(HostGuard.Denied.class);
        assertThat(Failures.classify(new HostGuard.Denied("x")).kind())
                .isEqualTo(ErrorKind.PROTOCOL);
        // Allowed when the option is off, and for a host that does not resolve to one.
        HostGuard.of(denying(false)).checkRedirect(URI.create("http://127.0.0.1/"));
    }

    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "THREADS"})
    void anEngineRefusesAPrivateHostWithoutSendingAndSendsWhenAllowed(EngineKind kind)
            throws Exception {
        server.counter().reset();
        FetchRequest local = FetchRequest.get(1, URI.create(server.url("/quick-held/1")));
        try (Engine denying = Engine.create(kind, denying(true));
             Engine allowing = Engine.create(kind, denying(false))) {
            Outcome refused = denying.send(local).get(10, TimeUnit.SECONDS);
            assertThat(refused.error().kind()).isEqualTo(ErrorKind.INPUT);
            assertThat(refused.error().message()).contains("--deny-private");
            assertThat(server.counter().served()).isZero();

            assertThat(allowing.send(local).get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
    }
}
