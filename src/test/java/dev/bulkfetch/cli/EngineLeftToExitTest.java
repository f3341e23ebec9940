package dev.bulkfetch.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.FullListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fetch run from {@code Main.main} leaves its engine to the process's exit, which frees its
 * connections at once, where closing them one by one took 0.05 to 0.1 s at {@code -c 500}.
 * Only once nothing is on the wire: a run that ends with answers still coming closes it, and
 * a fetch in a JVM that goes on (a test, {@code train}) always does.
 */
class EngineLeftToExitTest {

    @TempDir
    static Path dir;

    private static WireMockServer server;

    @BeforeAll
    static void start() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
                .notifier(new Slf4jNotifier(false)));
        server.start();
        server.stubFor(get(urlPathEqualTo("/ok")).willReturn(aResponse().withBody("ok")));
        // Longer than any test waits: an answer that would come only if nothing ended it.
        server.stubFor(get(urlPathEqualTo("/slow")).willReturn(aResponse()
                .withFixedDelay(120_000).withBody("slow")));
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void aRunBeforeTheExitHandsItsEngineOverWithItsConnectionsOpen() throws Exception {
        assumeTrue(FullListener.socketsVisible(), "needs Linux's socket tables");
        List<AutoCloseable> left = new ArrayList<>();
        try {
            int code = Main.run(args(list("ok", "/ok", "/ok?2")), stdin(),
                    new ByteArrayOutputStream(), new PrintWriter(new StringWriter()), left::add);

            assertThat(code).isZero();
            assertThat(left).hasSize(1);
            assertThat(open()).as("the kept-alive connection, not closed").isPositive();
        } finally {
            for (AutoCloseable engine : left) {
                engine.close();
            }
        }
    }

    @Test
    void aRunInAJvmThatGoesOnClosesItsEngineAndItsConnections() throws Exception {
        assumeTrue(FullListener.socketsVisible(), "needs Linux's socket tables");

        int code = Main.run(args(list("closed", "/ok", "/ok?2")), stdin(),
                new ByteArrayOutputStream(), new PrintWriter(new StringWriter()));

        assertThat(code).isZero();
        assertThat(closedSoon()).isTrue();
    }

    /** Records that cannot be written end the run with /slow on the wire: its engine closes. */
    @Test
    void aRunEndedWithAnAnswerStillComingClosesItsEngine() throws Exception {
        assumeTrue(FullListener.socketsVisible(), "needs Linux's socket tables");
        List<AutoCloseable> left = new ArrayList<>();
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        try {
            int code = Main.run(args(list("slow", "/ok", "/slow")), stdin(), full,
                    new PrintWriter(new StringWriter()), left::add);

            assertThat(code).isNotZero();
            assertThat(left).isEmpty();
            assertThat(closedSoon()).as("/slow's connection, ended by the close").isTrue();
        } finally {
            for (AutoCloseable engine : left) {
                engine.close();
            }
        }
    }

    private static String[] args(Path list) {
        return new String[] {"fetch", list.toString(), "-q", "-c", "2"};
    }

    private static Path list(String name, String... paths) throws IOException {
        StringBuilder urls = new StringBuilder();
        for (String path : paths) {
            urls.append(server.url(path)).append('\n');
        }
        return Files.writeString(dir.resolve(name + ".txt"), urls);
    }

    private static ByteArrayInputStream stdin() {
        return new ByteArrayInputStream(new byte[0]);
    }

    /** The open connections to the server: this test's alone, on its dynamic port. */
    private static int open() throws IOException {
        return FullListener.socketsTo(server.port(), Set.of(FullListener.ESTABLISHED), Set.of());
    }

    /**
     * Whether the connections to the server are gone within a few seconds: AHC's close ends
     * them on the event loop, at once only when the shared loop shuts down with it.
     */
    private static boolean closedSoon() throws Exception {
        return Await.until(() -> open() == 0, Duration.ofSeconds(5));
    }
}
