package dev.bulkfetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
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
        wm.stubFor(get(urlPathEqualTo("/files/none")).willReturn(aResponse().withStatus(204)));
        wm.stubFor(head(urlPathEqualTo("/files/page")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Length", "11")));
        // A body that takes 3 s to come, for a timeout mid-body.
        wm.stubFor(get(urlPathEqualTo("/files/slow")).willReturn(aResponse().withStatus(200)
                .withBody(BIG).withChunkedDribbleDelay(30, 3000)));
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
        try (Fetcher fetcher = Fetcher.builder().engine(engine)
                .concurrency(engine == EngineKind.SERIAL ? 1 : 2).retries(RetryPolicy.NONE)
                .maxBodyBytes(maxBody).requestTimeout(java.time.Duration.ofMillis(800))
                .bodyHandler(handler).build()) {
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
    @EnumSource(EngineKind.class)
    void eachOkBodyIsSavedWholeUnderItsSeqAndItsResultNamesTheFile(EngineKind engine)
            throws Exception {
        Path folder = dir.resolve("pages").resolve("new");
        Files.createDirectories(folder);
        // An earlier run's file of a seq saved again is replaced.
        Files.writeString(folder.resolve("4.body"), "an earlier run's page, longer than this");

        List<FetchResult> results = fetchAll(engine, BodyHandlers.files(folder), 10_000_000,
                request(3, "big"), request(4, "page"), request(5, "missing"),
                request(6, "empty"), request(7, "none"), FetchRequest.builder(8,
                        URI.create(server.url("/files/page"))).method("HEAD").build());

        assertThat(results).extracting(FetchResult::status)
                .containsExactly(200, 200, 404, 200, 204, 200);
        assertThat(results.get(0).body(Path.class)).isEqualTo(folder.resolve("3.body"));
        assertThat(Files.readAllBytes(folder.resolve("3.body"))).isEqualTo(BIG);
        assertThat(Files.readString(folder.resolve("4.body"))).isEqualTo("<p>page</p>");
        // A 404 keeps nothing: counted, not saved, so no error page where a page is looked for.
        assertThat(results.get(2).error().kind()).isEqualTo(ErrorKind.HTTP);
        assertThat(results.get(2).body()).isNull();
        assertThat(results.get(2).bytes()).isEqualTo("<h1>no</h1>".length());
        assertThat(Files.size(folder.resolve("6.body"))).isZero();
        assertThat(results.get(3).body(Path.class)).isEqualTo(folder.resolve("6.body"));
        // A 204's and a HEAD's have no body: an empty file would replace a page saved before.
        assertThat(results.get(4).body()).isNull();
        assertThat(results.get(5).body()).isNull();
        assertThat(names(folder)).containsExactly("3.body", "4.body", "6.body");
        // Readable as the umask has it, as a file made beside them, not the owner's alone.
        Path made = Files.createFile(dir.resolve("made"));
        assertThat(Files.getPosixFilePermissions(folder.resolve("3.body")))
                .isEqualTo(Files.getPosixFilePermissions(made));
    }

    /**
     * A body over the max body, found mid-stream, and one a timeout cuts off (given up on
     * from the timer's thread on the event loop) leave no file and no part.
     */
    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aBodyGivenUpOnLeavesNoFileAndNoPart(EngineKind engine) throws Exception {
        List<FetchResult> results = fetchAll(engine, BodyHandlers.files(dir), 100_000,
                request(7, "big-chunked"), request(9, "slow"));

        assertThat(results).extracting(r -> r.error().kind())
                .containsExactly(ErrorKind.TOO_LARGE, ErrorKind.TIMEOUT);
        assertThat(results).extracting(FetchResult::body).containsOnlyNulls();
        assertThat(names(dir)).isEmpty();
    }

    /**
     * A body that cannot take its name (a folder has it) ends its item as a body error
     * naming the file, as a full disk would, and its part is deleted.
     */
    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aBodyThatCannotBeSavedIsItsItemsBodyError(EngineKind engine) throws Exception {
        Files.createDirectories(dir.resolve("8.body").resolve("inside"));

        FetchResult result = fetchAll(engine, BodyHandlers.files(dir), 10_000_000,
                request(8, "page")).get(0);

        assertThat(result.status()).isEqualTo(200);
        assertThat(result.error().kind()).isEqualTo(ErrorKind.BODY);
        assertThat(result.error().message()).isEqualTo("the body handler failed: cannot"
                + " save the body to " + dir.resolve("8.body") + ": directory not empty");
        assertThat(names(dir)).containsExactly("8.body");
    }

    /**
     * A folder that cannot be made, or takes no file, is refused as the handler is made, not
     * on every body, saying why.
     */
    @Test
    void aFolderThatCannotBeUsedIsRefusedAtOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");

        assertThatThrownBy(() -> BodyHandlers.files(file.resolve("pages")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot save bodies to " + file.resolve("pages") + ": ");
        assertThatThrownBy(() -> BodyHandlers.files(file))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot save bodies to " + file + ": ");
        if (Files.isDirectory(Path.of("/sys/kernel"))) {  // Linux's, which no one can write to
            assertThatThrownBy(() -> BodyHandlers.files(Path.of("/sys")))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageStartingWith("cannot save bodies to /sys: cannot write into /sys");
        }
    }

    /**
     * The parts a killed process could not delete go as a handler is made on the folder, as
     * {@code fetch --save-bodies} deletes them; a live process's, and files not named as
     * parts, stay.
     */
    @Test
    void thePartsOfAKilledProcessGoAsTheHandlerIsMade() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path dead = Files.writeString(dir.resolve(".bulkfetch-" + ended.pid()
                + "-0badf00d-7.part"), "half a body");
        Path live = Files.writeString(dir.resolve(".bulkfetch-" + ProcessHandle.current().pid()
                + "-0badf00d-8.part"), "still coming");
        Path other = Files.writeString(dir.resolve(".bulkfetch-notes.part"), "mine");

        BodyHandlers.files(dir);

        assertThat(dead).doesNotExist();
        assertThat(live).exists();
        assertThat(other).exists();
    }
}
