package dev.bulkfetch.output;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.BodyHandler;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.RawServer;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --save-bodies} streams each body to disk, and leaves nothing behind but the bodies. */
class SavedBodiesTest {

    @TempDir
    Path dir;

    /**
     * One item at a time: a body the server answers 503 and then, retried, 200; one far over
     * the maximum; one whose second half the server holds back. While it is held, its first
     * half is on disk already (it is not kept whole in memory), and the folder holds nothing
     * else but the first item's body: not the retried attempt's, not the too-large one's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"event-loop", "virtual", "threads", "serial"})
    void aBodyStreamsToItsFileAndNoOtherAttemptsBodyIsLeftBehind(String engine)
            throws Exception {
        try (TestServer flaky = new TestServer();
             RawServer huge = new RawServer(RawServer.Mode.ONE_GIB);
             RawServer held = new RawServer(RawServer.Mode.HELD_BODY)) {
            flaky.wireMock().stubFor(get(urlEqualTo("/flaky")).inScenario("flaky")
                    .whenScenarioStateIs(STARTED).willSetStateTo("up")
                    .willReturn(aResponse().withStatus(503).withBody("busy")));
            flaky.wireMock().stubFor(get(urlEqualTo("/flaky")).inScenario("flaky")
                    .whenScenarioStateIs("up")
                    .willReturn(aResponse().withStatus(200).withBody("fine")));
            Path list = TestServer.write(dir.resolve("list.txt"), String.join("\n",
                    flaky.url("/flaky"), huge.url("/huge"), held.url("/held")) + "\n");
            Path bodies = dir.resolve("bodies");

            CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run(
                    "fetch", list.toString(), "-e", engine, "-c", "1", "--save-bodies",
                    bodies.toString(), "--backoff", "10ms..20ms", "--ordered", "-q"));
            try {
                assertThat(Await.until(() -> run.isDone() || Files.isDirectory(bodies)
                        && parts(bodies).stream().anyMatch(SavedBodiesTest::heldHalf),
                        Duration.ofSeconds(30))
                        && !run.isDone())
                        .as("half the held body on disk while the rest is awaited: %s %s",
                                Files.isDirectory(bodies) ? names(bodies) : "no folder",
                                run.isDone() ? run.join() : "running").isTrue();
                assertThat(names(bodies)).hasSize(2).contains("1.body");
                assertThat(Files.readString(bodies.resolve("1.body"))).isEqualTo("fine");
            } finally {
                held.releaseLateBytes();
            }

            List<JsonNode> records = Records.parse(run.get(60, TimeUnit.SECONDS).out());
            assertThat(records).extracting(r -> r.get("error").isNull() ? "ok"
                    : r.get("error").get("kind").asText())
                    .containsExactly("ok", "too_large", "ok");
            assertThat(records.get(0).get("attempts").asInt()).isEqualTo(2);
            assertThat(records.get(1).has("body_file")).isFalse();
            assertThat(names(bodies)).containsExactlyInAnyOrder("1.body", "3.body");
            assertThat(Files.size(bodies.resolve("3.body")))
                    .isEqualTo(RawServer.HELD_BODY_BYTES);
            assertThat(records.get(2).get("body_file").asText())
                    .isEqualTo(bodies.toRealPath().resolve("3.body").toString());
        }
    }

    /** Saving and including together: the file and the record's text are the same body. */
    @Test
    void aSavedBodyCanAlsoGoIntoTheRecord() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 2);
            Path bodies = dir.resolve("bodies");
            Cli.Result result = Cli.run("fetch", list.toString(), "--save-bodies",
                    bodies.toString(), "--include-body", "-q");
            for (JsonNode record : Records.parse(result.out())) {
                assertThat(record.get("body").asText()).isEqualTo("{\"ok\":true}");
                assertThat(Files.readString(Path.of(record.get("body_file").asText())))
                        .isEqualTo("{\"ok\":true}");
            }
            assertThat(names(bodies)).containsExactlyInAnyOrder("1.body", "2.body");
        }
    }

    /** A run stopped with bodies half-written (Ctrl-C, past its grace) leaves no part behind. */
    @Test
    void closingTheStoreDeletesThePartsNoRecordTook() throws Exception {
        BodyStore store = new BodyStore(dir, false);
        BodyHandler.Sink<?> sink = store.handler().open(null);
        sink.accept(ByteBuffer.wrap("half a bo".getBytes()));
        assertThat(parts(dir)).hasSize(1);

        store.close();

        assertThat(names(dir)).isEmpty();
    }

    private static List<Path> parts(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".part")).toList();
        }
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }

    /**
     * Whether {@code part} holds the held body's first half: its bytes, not the too-large
     * body's, which passes that size too on its way to being abandoned.
     */
    private static boolean heldHalf(Path part) {
        try (var in = Files.newInputStream(part)) {
            return in.read() == 'h' && Files.size(part) >= RawServer.HELD_BODY_BYTES / 2;
        } catch (IOException e) {
            return false;  // renamed or deleted meanwhile
        }
    }
}
