package dev.bulkfetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulkfetch.testing.TestServer;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link BodyHandlers#files}: the library had no handler that saves bodies to files, as
 * {@code fetch --save-bodies} does, so a scraping job wrote its own or held every page in
 * memory. Each 2xx body is saved whole under its request's seq, on every engine.
 */
class BodyFilesTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    private static final byte[] BIG = new byte[300_000];

    @TempDir
    Path dir;

    @BeforeAll
    static void stubs() {
        new java.util.Random(5).nextBytes(BIG);
        var wm = server.wireMock();
        wm.stubFor(get(urlPathEqualTo("/files/big")).willReturn(aResponse().withStatus(200)
                .withBody(BIG)));
        wm.stubFor(get(urlPathEqualTo("/files/page")).willReturn(aResponse().withStatus(200)
                .withBody("<p>page</p>")));
        wm.stubFor(get(urlPathEqualTo("/files/empty")).willReturn(aResponse().withStatus(200)));
        wm.stubFor(get(urlPathEqualTo("/files/missing")).willReturn(aResponse().withStatus(404)
                .withBody("<h1>no</h1>")));
        // Chunked, no Content-Length: the limit is found mid-body, after chunks were saved.
        wm.stubFor(get(urlPathEqualTo("/files/big-chunked")).willReturn(aResponse()
                .withStatus(200).withBody(BIG).withChunkedDribbleDelay(10, 50)));
    }

    private static FetchRequest request(long seq, String path) {
        return FetchRequest.get(seq, URI.create(server.url("/files/" + path)));
    }

    private static List<FetchResult> fetchAll(EngineKind engine, BodyHandler<?> handler,
                                              long maxBody, FetchRequest... requests) {
        try (Fetcher fetcher = Fetcher.builder().engine(engine).concurrency(2)
                .retries(RetryPolicy.NONE).maxBodyBytes(maxBody).bodyHandler(handler)
                .build()) {
            return fetcher.fetchAll(List.of(requests)).join();
        }
    }

    /** The folder's files, part files too, by name. */
    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void eachOkBodyIsSavedWholeUnderItsSeqAndItsResultNamesTheFile(EngineKind engine)
            throws Exception {
        Path folder = dir.resolve("pages").resolve("new");
        Files.createDirectories(folder);
        // An earlier run's file of a seq saved again is replaced.
        Files.writeString(folder.resolve("4.body"), "an earlier run's page, longer than this");

        List<FetchResult> results = fetchAll(engine, BodyHandlers.files(folder), 10_000_000,
                request(3, "big"), request(4, "page"), request(5, "missing"),
                request(6, "empty"));

        assertThat(results).extracting(FetchResult::status).containsExactly(200, 200, 404, 200);
        assertThat(results.get(0).body(Path.class)).isEqualTo(folder.resolve("3.body"));
        assertThat(Files.readAllBytes(folder.resolve("3.body"))).isEqualTo(BIG);
        assertThat(Files.readString(folder.resolve("4.body"))).isEqualTo("<p>page</p>");
        // A 404 keeps nothing: counted, not saved, so no error page where a page is looked for.
        assertThat(results.get(2).error().kind()).isEqualTo(ErrorKind.HTTP);
        assertThat(results.get(2).body()).isNull();
        assertThat(results.get(2).bytes()).isEqualTo("<h1>no</h1>".length());
        assertThat(Files.size(folder.resolve("6.body"))).isZero();
        assertThat(results.get(3).body(Path.class)).isEqualTo(folder.resolve("6.body"));
        assertThat(names(folder)).containsExactly("3.body", "4.body", "6.body");
    }

    /** A body over the max body, found mid-stream, leaves no file and no part. */
    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void aBodyGivenUpOnLeavesNoFileAndNoPart(EngineKind engine) throws Exception {
        FetchResult result = fetchAll(engine, BodyHandlers.files(dir), 100_000,
                request(7, "big-chunked")).get(0);

        assertThat(result.error().kind()).isEqualTo(ErrorKind.TOO_LARGE);
        assertThat(result.body()).isNull();
        assertThat(names(dir)).isEmpty();
    }

    /**
     * A body that cannot take its name (a folder has it) ends its item as a body error
     * naming the file, as a full disk would, and its part is deleted.
     */
    @ParameterizedTest
    @EnumSource(value = EngineKind.class, names = {"EVENT_LOOP", "VIRTUAL", "THREADS"})
    void aBodyThatCannotBeSavedIsItsItemsBodyError(EngineKind engine) throws Exception {
        Files.createDirectories(dir.resolve("8.body").resolve("inside"));

        FetchResult result = fetchAll(engine, BodyHandlers.files(dir), 10_000_000,
                request(8, "page")).get(0);

        assertThat(result.status()).isEqualTo(200);
        assertThat(result.error().kind()).isEqualTo(ErrorKind.BODY);
        assertThat(result.error().message()).startsWith("the body handler failed: ")
                .contains("8.body");
        assertThat(names(dir)).containsExactly("8.body");
    }

    /** A folder that cannot be made is refused as the handler is made, not on every body. */
    @Test
    void aFolderThatCannotBeMadeIsRefusedAtOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");

        assertThatThrownBy(() -> BodyHandlers.files(file.resolve("pages")))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("a-file");
        assertThatThrownBy(() -> BodyHandlers.files(file))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("a-file");
    }
}
