package dev.bulkfetch.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.bulkfetch.FetchRequest;
import java.io.IOException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * A WireMock on 127.0.0.1 and a dynamic port, with the stubs the tests share. Synchronous
 * responses and plenty of threads, so {@link InFlightCounter} sees every request as it is held.
 * A test class shares one with {@code @RegisterExtension static final TestServer server = new
 * TestServer();}: it stops after the class's last test.
 */
public final class TestServer implements AutoCloseable, AfterAllCallback {

    /**
     * A second host for the tests of what bulkfetch keys per host (--per-host, the per-host
     * rates, Retry-After holds): the key is the URL's host name, so this name is another host
     * than 127.0.0.1, and reaches the same 127.0.0.1, where every test server listens.
     * {@link LocalNamesOnly} resolves it to 127.0.0.1 alone, whatever the machine's hosts file.
     */
    public static final String OTHER_HOST = "localhost";

    private final WireMockServer server;
    private final InFlightCounter counter = new InFlightCounter();

    /** The host name in this server's URLs. */
    private final String host;

    public TestServer() {
        this("127.0.0.1");
    }

    /** A server whose URLs name it {@link #OTHER_HOST}: to bulkfetch, another host. */
    public static TestServer otherHost() {
        return new TestServer(OTHER_HOST);
    }

    private TestServer(String host) {
        this.host = host;
        server = new WireMockServer(options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .containerThreads(400)
                .notifier(new Slf4jNotifier(false))
                .extensions(counter));
        server.start();
        server.stubFor(get(urlPathMatching("/ok/[0-9]+"))
                .willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        server.stubFor(get(urlPathMatching("/held/[0-9]+"))
                .willReturn(aResponse().withStatus(200).withBody("held")
                        .withTransformers(InFlightCounter.NAME)
                        .withTransformerParameters(Map.of("holdMs", 200))));
        server.stubFor(get(urlPathMatching("/gather/[0-9]+/[0-9]+"))
                .willReturn(aResponse().withStatus(200).withBody("gathered")
                        .withTransformers(InFlightCounter.NAME)
                        .withTransformerParameters(Map.of("gatherMs", 5_000, "holdMs", 100))));
        server.stubFor(get(urlPathMatching("/quick-held/[0-9]+"))
                .willReturn(aResponse().withStatus(200).withBody("quick")
                        .withTransformers(InFlightCounter.NAME)
                        .withTransformerParameters(Map.of("holdMs", 30))));
        server.stubFor(get(urlPathMatching("/long-held/[0-9]+"))
                .willReturn(aResponse().withStatus(200).withBody("long")
                        .withTransformers(InFlightCounter.NAME)
                        .withTransformerParameters(Map.of("holdMs", 1_500))));
        server.stubFor(get(urlPathMatching("/until-released/[0-9]+"))
                .willReturn(aResponse().withStatus(200).withBody("released")
                        .withTransformers(InFlightCounter.NAME)
                        .withTransformerParameters(Map.of("untilReleased", true))));
        server.stubFor(get(urlPathMatching("/slow/[0-9]+"))
                .willReturn(aResponse().withStatus(200).withBody("slow")
                        .withFixedDelay(1_500)));
        server.stubFor(get(urlPathMatching("/dribble/[0-9]+"))
                .willReturn(aResponse().withStatus(200).withBody("x".repeat(10))
                        .withChunkedDribbleDelay(10, 4_000)));
        server.stubFor(get(urlPathMatching("/hang/[0-9]+"))
                .willReturn(aResponse().withStatus(200).withFixedDelay(60_000)));
        server.stubFor(get(urlPathMatching("/status/([0-9]{3})/[0-9]+"))
                .willReturn(aResponse().withStatus(404)));
        server.stubFor(get(urlPathMatching("/status/500/[0-9]+"))
                .willReturn(aResponse().withStatus(500)));
        server.stubFor(get(urlPathMatching("/status/429/[0-9]+"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
        server.stubFor(get(urlPathMatching("/bytes/[0-9]+"))
                .willReturn(aResponse().withStatus(200).withBody(new byte[20_000])));
        server.stubFor(get(urlPathMatching("/redirect/[0-9]+"))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "/ok/1")));
        server.stubFor(get(urlPathMatching("/loop/[0-9]+"))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "/loop/1")));
        for (Fault fault : Fault.values()) {
            server.stubFor(get(urlPathMatching("/fault/" + fault.name() + "/[0-9]+"))
                    .willReturn(aResponse().withFault(fault)));
        }
    }

    /** A GET of {@code prefix + seq} on this server, numbered {@code seq}. */
    public FetchRequest request(long seq, String prefix) {
        return FetchRequest.get(seq, URI.create(url(prefix + seq)));
    }

    public String url(String path) {
        return "http://" + host + ":" + server.port() + path;
    }

    public WireMockServer wireMock() {
        return server;
    }

    public InFlightCounter counter() {
        return counter;
    }

    /** Writes a URL list of {@code count} lines {@code prefix + n}, n from 1. */
    public Path urlList(Path dir, String prefix, long count) {
        String text = LongStream.rangeClosed(1, count).mapToObj(n -> url(prefix + n))
                .collect(Collectors.joining("\n", "", "\n"));
        return write(dir.resolve(prefix.replaceAll("[^a-z]", "") + "-" + count + ".txt"), text);
    }

    public static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        server.stop();
    }
}
