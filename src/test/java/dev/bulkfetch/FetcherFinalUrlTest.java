package dev.bulkfetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.TestServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a scraper needs of a response beside its body, on every engine: the URL it came from
 * after redirects, to resolve the body's relative links against, and every value of a header.
 */
class FetcherFinalUrlTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    /** What one body handler saw as each body started. */
    record Seen(int status, URI url, List<String> tags, String firstTag, long seq, String id) {
    }

    private static Fetcher fetcher(EngineKind engine, BodyHandler<?> handler) {
        return Fetcher.builder().engine(engine).concurrency(1).retries(RetryPolicy.NONE)
                .bodyHandler(handler).build();
    }

    /** A chain of two redirects ending at {@code /page/NAME/end}: its first URL. */
    private static String chainFor(EngineKind engine) {
        String page = "/page/" + engine.cliName() + "/";
        server.wireMock().stubFor(get(urlEqualTo(page + "start"))
                .willReturn(aResponse().withStatus(301).withHeader("Location", "moved")));
        server.wireMock().stubFor(get(urlEqualTo(page + "moved"))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "/end/" + engine
                        .cliName() + "?q=1")));
        server.wireMock().stubFor(get(urlEqualTo("/end/" + engine.cliName() + "?q=1"))
                .willReturn(aResponse().withStatus(200).withHeader("X-Tag", "a", "b")
                        .withBody("<a href=\"next\">")));
        return server.url(page + "start");
    }

    @ParameterizedTest
    @EnumSource
    void aRedirectedResultNamesTheUrlItsAnswerCameFrom(EngineKind engine) {
        String start = chainFor(engine);
        try (Fetcher fetcher = fetcher(engine, BodyHandlers.text())) {
            FetchResult moved = fetcher.fetch(FetchRequest.get(1, URI.create(start))).join();
            assertThat(moved.ok()).as(String.valueOf(moved.error())).isTrue();
            assertThat(moved.url()).isEqualTo(start);
            assertThat(moved.finalUrl())
                    .isEqualTo(server.url("/end/" + engine.cliName() + "?q=1"));
            assertThat(URI.create(moved.finalUrl()).resolve("next").getPath())
                    .isEqualTo("/end/next");

            FetchResult direct = fetcher.fetch(server.request(2, "/ok/")).join();
            assertThat(direct.ok()).isTrue();
            assertThat(direct.finalUrl()).isNull();
        }
    }

    /**
     * A body handler is told where its response came from, the redirect followed, and gets
     * every value of a header given twice, by a name in any case; it is not opened for the
     * redirects themselves. It is told the seq and id of the request the response answers,
     * the same after redirects, to name what it keeps by.
     */
    @ParameterizedTest
    @EnumSource
    void aBodyHandlerSeesTheResponsesUrlAndEveryValueOfAHeader(EngineKind engine) {
        String start = chainFor(engine);
        Queue<Seen> seen = new ConcurrentLinkedQueue<>();
        BodyHandler<Void> noting = response -> {
            seen.add(new Seen(response.status(), response.url(), response.headers("x-tag"),
                    response.header("X-TAG").orElse(null), response.seq(), response.id()));
            return null;
        };
        try (Fetcher fetcher = fetcher(engine, noting)) {
            // Seqs of the caller's, not the fetcher's own (1 and 2).
            assertThat(fetcher.fetch(FetchRequest.builder(11, URI.create(start)).id("start")
                    .build()).join().ok()).isTrue();
            assertThat(fetcher.fetch(server.request(12, "/ok/")).join().ok()).isTrue();
        }
        assertThat(seen).containsExactly(
                new Seen(200, URI.create(server.url("/end/" + engine.cliName() + "?q=1")),
                        List.of("a", "b"), "a", 11, "start"),
                new Seen(200, URI.create(server.url("/ok/12")), List.of(), null, 12, "12"));
    }

    /** {@code /PREFIX/NAME} answered with a 302 to {@code location}; the target, a 200. */
    private static String redirectTo(String prefix, EngineKind engine, String location) {
        String from = "/" + prefix + "/" + engine.cliName();
        server.wireMock().stubFor(get(urlEqualTo(from))
                .willReturn(aResponse().withStatus(302).withHeader("Location", location)));
        server.wireMock().stubFor(get(urlEqualTo("/target/" + prefix + "/" + engine.cliName()))
                .willReturn(aResponse().withStatus(200).withBody("there")));
        return server.url(from);
    }

    /**
     * Credentials in a redirect's Location are not used (no Authorization goes with the
     * request it leads to) and given back nowhere: neither the result's finalUrl nor the
     * body handler's url() holds them, as neither holds the request's own.
     */
    @ParameterizedTest
    @EnumSource
    void credentialsInARedirectsLocationAreNeitherSentNorGivenBack(EngineKind engine) {
        String target = server.url("/target/pw/" + engine.cliName());
        String start = redirectTo("pw", engine, target.replace("://", "://bob:secret@"));
        Queue<URI> seen = new ConcurrentLinkedQueue<>();
        try (Fetcher fetcher = fetcher(engine, noting(seen))) {
            FetchResult moved = fetcher.fetch(FetchRequest.get(1, URI.create(start))).join();
            assertThat(moved.ok()).as(String.valueOf(moved.error())).isTrue();
            assertThat(moved.finalUrl()).isEqualTo(target);
        }
        assertThat(seen).containsExactly(URI.create(target));
        server.wireMock().verify(getRequestedFor(urlEqualTo("/target/pw/" + engine.cliName()))
                .withoutHeader("Authorization"));
    }

    /**
     * A fragment is never sent, so the URL an answer came from has none: not the one a
     * redirect's Location gives, nor the one the request's own URL has.
     */
    @ParameterizedTest
    @EnumSource
    void theUrlAnAnswerCameFromHasNoFragment(EngineKind engine) {
        String start = redirectTo("frag", engine, "/target/frag/" + engine.cliName() + "#part");
        Queue<URI> seen = new ConcurrentLinkedQueue<>();
        try (Fetcher fetcher = fetcher(engine, noting(seen))) {
            FetchResult moved = fetcher.fetch(FetchRequest.get(1, URI.create(start))).join();
            assertThat(moved.ok()).as(String.valueOf(moved.error())).isTrue();
            assertThat(moved.finalUrl())
                    .isEqualTo(server.url("/target/frag/" + engine.cliName()));
            FetchResult direct = fetcher.fetch(FetchRequest.get(2,
                    URI.create(server.url("/ok/3#top")))).join();
            assertThat(direct.ok()).as(String.valueOf(direct.error())).isTrue();
        }
        assertThat(seen).containsExactly(
                URI.create(server.url("/target/frag/" + engine.cliName())),
                URI.create(server.url("/ok/3")));
    }

    /** A header asked for by no name is refused the same way on every engine. */
    @ParameterizedTest
    @EnumSource
    void aHeaderAskedForByNoNameIsANullPointerNamingTheArgument(EngineKind engine) {
        List<String> refusals = new ArrayList<>();
        BodyHandler<Void> asking = response -> {
            try {
                response.header(null);
            } catch (NullPointerException e) {
                refusals.add("header: " + e.getMessage());
            }
            try {
                response.headers(null);
            } catch (NullPointerException e) {
                refusals.add("headers: " + e.getMessage());
            }
            return null;
        };
        try (Fetcher fetcher = fetcher(engine, asking)) {
            assertThat(fetcher.fetch(server.request(1, "/ok/")).join().ok()).isTrue();
        }
        assertThat(refusals).containsExactly("header: name", "headers: name");
    }

    /**
     * A first redirect not followed leaves the answer the item's own URL's, so finalUrl is null,
     * as with maxRedirects(0), and the record has no final_url: from review, an item's URL with
     * a fragment (or a password) had its form as sent given, which differed from url.
     */
    @ParameterizedTest
    @EnumSource
    void aFirstRedirectNotFollowedLeavesFinalUrlAsDocumented(EngineKind engine) {
        String start = redirectTo("ftp", engine, "ftp://127.0.0.1/file");
        try (Fetcher fetcher = fetcher(engine, BodyHandlers.discarding())) {
            FetchResult refused = fetcher.fetch(FetchRequest.get(1, URI.create(start + "#top")))
                    .join();
            assertThat(refused.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
            assertThat(refused.finalUrl()).as("the answer came from the URL asked").isNull();
        }
        try (Fetcher none = Fetcher.builder().engine(engine).concurrency(1)
                .retries(RetryPolicy.NONE).maxRedirects(0).build()) {
            FetchResult answered = none.fetch(FetchRequest.get(1, URI.create(start))).join();
            assertThat(answered.status()).isEqualTo(302);
            assertThat(answered.finalUrl()).isNull();
        }
    }

    /** A handler that keeps nothing of a body but notes the URL each response came from. */
    private static BodyHandler<Void> noting(Queue<URI> seen) {
        return response -> {
            seen.add(response.url());
            return null;
        };
    }
}
