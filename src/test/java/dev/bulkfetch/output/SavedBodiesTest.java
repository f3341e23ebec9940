package dev.bulkfetch.output;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.BodyHandler;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Child;
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
                // The part, the first body, and the run's claim on the folder.
                assertThat(names(bodies)).hasSize(3).contains("1.body")
                        .anyMatch(name -> name.endsWith("-claim.run"));
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

    /**
     * A body that cannot be written (the disk is full) stops the run, as a record that cannot
     * be written does, naming the body: it is not that item's error, and not a record that
     * --resume would keep. The resumed run saves it, and nothing is lost or left behind.
     */
    /**
     * From an exploratory test: {@code --save-bodies .} (and {@code ./}, {@code sub/..}), the
     * current folder, was refused as "the name is empty", being "" once normalised.
     */
    @Test
    void theCurrentFolderTakesTheBodiesByAnyOfItsNames() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = TestServer.write(dir.resolve("list.txt"), server.url("/ok/1") + "\n");
            Files.createDirectory(dir.resolve("sub"));
            for (String name : List.of(".", "./", "sub/..")) {
                Path body = dir.resolve("1.body");
                Files.deleteIfExists(body);
                Path out = dir.resolve("out.jsonl");
                Process child = Child.startIn(dir, dir.resolve("err.txt"), "fetch",
                        list.toString(), "--save-bodies", name, "-o", out.toString(),
                        "--overwrite", "-q");
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

                assertThat(child.exitValue()).as(name + ": " + Files.readString(
                        dir.resolve("err.txt"))).isZero();
                assertThat(body).as(name).hasContent("{\"ok\":true}");
                assertThat(dir.resolve(Records.read(out).get(0).get("body_file").asText())
                        .normalize()).as(name).isEqualTo(body);
            }
        }
    }

    @Test
    void aBodyThatCannotBeWrittenStopsTheRunAndResumeSavesIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(
                "/usr/bin/prlimit")), "prlimit (util-linux) sets the file size limit");
        byte[] big = new byte[3 << 20];
        java.util.Arrays.fill(big, (byte) 'b');
        try (TestServer server = new TestServer()) {
            server.wireMock().stubFor(get(urlEqualTo("/big"))
                    .willReturn(aResponse().withStatus(200).withBody(big)));
            Path list = TestServer.write(dir.resolve("list.txt"), String.join("\n",
                    server.url("/ok/1"), server.url("/big"), server.url("/ok/3")) + "\n");
            Path out = dir.resolve("out.jsonl");
            Path bodies = dir.resolve("bodies");
            String[] args = {"fetch", list.toString(), "-c", "1", "-o", out.toString(),
                    "--save-bodies", bodies.toString(), "-q"};

            Process full = Child.startWithFileSizeLimit(dir.resolve("err.txt"), 1 << 20,
                    args);
            assertThat(full.waitFor(60, TimeUnit.SECONDS)).isTrue();

            String err = Files.readString(dir.resolve("err.txt"));
            assertThat(full.exitValue()).as(err).isNotZero();
            assertThat(err).contains("cannot save the body of item 2 to "
                    + bodies.toRealPath().resolve("2.body")).contains("--resume");
            assertThat(Records.read(out)).extracting(r -> r.get("seq").asInt())
                    .containsExactly(1);
            assertThat(names(bodies)).containsExactly("1.body");

            Cli.Result resumed = Cli.run(java.util.stream.Stream.concat(
                    java.util.Arrays.stream(args), Stream.of("--resume"))
                    .toArray(String[]::new));

            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            assertThat(Records.read(out)).extracting(r -> r.get("seq").asInt())
                    .containsExactlyInAnyOrder(1, 2, 3);
            assertThat(names(bodies)).containsExactlyInAnyOrder("1.body", "2.body", "3.body");
            assertThat(Files.readAllBytes(bodies.resolve("2.body"))).isEqualTo(big);
        }
    }

    /**
     * A body that cannot be written mid-run ended the run with its message alone: no summary
     * on stderr, no --summary-json. It ends now as a record that cannot be written does: the
     * message, the summary of the records written, --summary-json (not all ok), and a last
     * line saying why the run stopped. A file-size limit (the JVM ignores SIGXFSZ: the write
     * fails with EFBIG) lets the small records through and fails the large body.
     */
    @Test
    void aBodyThatCannotBeWrittenEndsWithTheSummaryAndWhyTheRunStopped() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(
                "/usr/bin/prlimit")), "prlimit (util-linux) sets the file size limit");
        try (TestServer server = new TestServer()) {
            server.wireMock().stubFor(get(urlEqualTo("/big"))
                    .willReturn(aResponse().withStatus(200).withBody(new byte[64 << 10])));
            Path list = TestServer.write(dir.resolve("list.txt"), String.join("\n",
                    server.url("/ok/1"), server.url("/ok/2"), server.url("/big"),
                    server.url("/ok/4")) + "\n");
            Path out = dir.resolve("out.jsonl");
            Path bodies = dir.resolve("bodies");
            Path err = dir.resolve("err.txt");
            Path summary = Files.writeString(dir.resolve("summary.json"), "{}");
            String[] args = {"fetch", list.toString(), "-c", "1", "-o", out.toString(),
                    "--save-bodies", bodies.toString(), "--summary-json", summary.toString()};

            Process full = Child.startWithFileSizeLimit(err, 16 << 10, args);
            assertThat(full.waitFor(60, TimeUnit.SECONDS)).isTrue();

            String said = Files.readString(err);
            assertThat(full.exitValue()).as(said).isEqualTo(1);
            assertThat(said).containsSubsequence("bulkfetch fetch: cannot save the body of item 3"
                    + " to " + bodies.toRealPath().resolve("3.body") + ": File too large. " + out
                    + " holds the records finished so far", "--resume to go on.",
                    "2 items: 2 ok", "bulkfetch: 2 records written: saving a body to " + bodies
                            + " failed (File too large)")
                    .doesNotContain("lost").doesNotContain("Exception");
            assertThat(said.strip()).endsWith("(File too large)");
            JsonNode json = Records.json(Files.readString(summary));
            assertThat(json.get("items").asLong()).isEqualTo(2);
            assertThat(json.get("records_lost").asLong()).isZero();
            assertThat(json.get("interrupted").asBoolean()).isFalse();
            assertThat(json.get("all_ok").asBoolean()).isFalse();
            assertThat(Records.read(out)).extracting(r -> r.get("seq").asInt())
                    .containsExactly(1, 2);

            Cli.Result resumed = Cli.run(Stream.concat(java.util.Arrays.stream(args),
                    Stream.of("--resume", "-q")).toArray(String[]::new));

            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            assertThat(Records.read(out)).extracting(r -> r.get("seq").asInt())
                    .containsExactlyInAnyOrder(1, 2, 3, 4);
            assertThat(Files.size(bodies.resolve("3.body"))).isEqualTo(64 << 10);
        }
    }

    /**
     * In input order, a body that finished first waits under its part name with its record:
     * a run stopped meanwhile must leave no body file whose record was never written.
     */
    @Test
    void inInputOrderABodyIsNamedOnlyAsItsRecordIsWritten() throws Exception {
        try (TestServer fast = new TestServer();
             RawServer held = new RawServer(RawServer.Mode.HELD_BODY)) {
            Path list = TestServer.write(dir.resolve("list.txt"), String.join("\n",
                    held.url("/held"), fast.url("/ok/2")) + "\n");
            Path bodies = dir.resolve("bodies");

            CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run(
                    "fetch", list.toString(), "-c", "2", "--ordered", "--save-bodies",
                    bodies.toString(), "-q"));
            try {
                // The second item's body is whole (its part is closed) while the first's is
                // half there.
                assertThat(Await.until(() -> run.isDone() || Files.isDirectory(bodies)
                        && parts(bodies).stream().anyMatch(SavedBodiesTest::heldHalf)
                        && parts(bodies).stream().anyMatch(part -> size(part) == 11),
                        Duration.ofSeconds(30)) && !run.isDone()).isTrue();
                assertThat(names(bodies)).noneMatch(name -> name.endsWith(".body"));
            } finally {
                held.releaseLateBytes();
            }

            assertThat(Records.parse(run.get(60, TimeUnit.SECONDS).out()))
                    .extracting(r -> r.get("seq").asInt()).containsExactly(1, 2);
            assertThat(names(bodies)).containsExactlyInAnyOrder("1.body", "2.body");
        }
    }

    /**
     * From an exploratory test: two runs saving into one folder at once (a cron job that
     * outlived its hour) wrote over each other's bodies, and a record's body_file named the
     * other run's. The second is refused, naming the first's process, and the folder is free
     * again once that run has ended, killed as it was.
     */
    @Test
    void aSecondRunSavingIntoAFolderInUseIsRefusedUntilTheFirstEnds() throws Exception {
        try (RawServer silent = new RawServer(RawServer.Mode.NEVER_ANSWER);
             TestServer server = new TestServer()) {
            Path held = TestServer.write(dir.resolve("held.txt"), silent.url("/held") + "\n");
            Path list = TestServer.write(dir.resolve("list.txt"), server.url("/ok/1") + "\n");
            Path bodies = dir.resolve("bodies");
            Process first = Child.start(dir.resolve("err.txt"), List.of(), "fetch",
                    held.toString(), "--save-bodies", bodies.toString(), "-q");
            try {
                assertThat(Await.until(() -> silent.requests() == 1, first,
                        Duration.ofSeconds(60))).as("the first run under way").isTrue();

                Cli.Result second = Cli.run("fetch", list.toString(), "--save-bodies",
                        bodies.toString(), "-q");

                assertThat(second.exitCode()).isEqualTo(2);
                assertThat(second.err()).contains("Invalid value for option '--save-bodies': "
                        + bodies + " is where another run (process " + first.pid() + ") is"
                        + " saving its bodies");
                assertThat(second.out()).isEmpty();
            } finally {
                first.destroyForcibly();
            }
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

            Cli.Result after = Cli.run("fetch", list.toString(), "--save-bodies",
                    bodies.toString(), "-q");

            assertThat(after.exitCode()).as(after.err()).isZero();
            assertThat(names(bodies)).containsExactly("1.body");
        }
    }

    /**
     * A run that ends without its own close (SIGTERM, as kill, timeout and docker send; a
     * second Ctrl-C) deletes the part of the body still coming; each left one, full size.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT INT"})
    void aRunEndedBySignalLeavesNoPartBehind(String signals) throws Exception {
        try (RawServer held = new RawServer(RawServer.Mode.HELD_BODY)) {
            Path list = TestServer.write(dir.resolve("list.txt"), held.url("/held") + "\n");
            Path bodies = dir.resolve("bodies");
            Process child = Child.start(dir.resolve("err.txt"), List.of(), "fetch",
                    list.toString(), "-o", dir.resolve("out.jsonl").toString(),
                    "--save-bodies", bodies.toString(), "--grace", "1m", "-q");
            try {
                assertThat(Await.until(() -> Files.isDirectory(bodies)
                        && parts(bodies).stream().anyMatch(SavedBodiesTest::heldHalf), child,
                        Duration.ofSeconds(60))).isTrue();
                String[] each = signals.split(" ");
                Child.signal(child, each[0]);
                if (each.length > 1) {
                    // Sent at once, two INTs may reach the process as one.
                    Child.awaitText(dir.resolve("err.txt"), "Ctrl-C again", child,
                            Duration.ofSeconds(30));
                    Child.signalAgain(child, each[1]);
                }
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            assertThat(names(bodies)).isEmpty();
        }
    }

    /**
     * The parts a killed run (kill -9) could not delete go as the next run into the folder
     * starts, so a backfill killed now and then does not fill its disk with hidden files; a
     * live run's parts, and files not named as parts are, stay. A part whose run's id a new
     * process has taken goes too (an exploratory test: such parts stayed for good), told by
     * when the process of that id started.
     */
    @Test
    void aRunDeletesThePartsOfRunsThatHaveEnded() throws Exception {
        try (TestServer server = new TestServer()) {
            Path bodies = Files.createDirectories(dir.resolve("bodies"));
            Process ended = new ProcessBuilder("true").start();
            ended.waitFor();
            ProcessHandle self = ProcessHandle.current();
            long started = PartNames.startTicks(self.pid()).orElseThrow();
            Path dead = Files.writeString(bodies.resolve(".bulkfetch-" + ended.pid()
                    + "-s" + started + "-0badf00d-7.part"), "half a body");
            Path idTaken = Files.writeString(bodies.resolve(".bulkfetch-" + self.pid()
                    + "-s" + (started - 1) + "-0badf00d-9.part"), "a body of the past");
            Path live = Files.writeString(bodies.resolve(".bulkfetch-" + self.pid()
                    + "-s" + started + "-0badf00d-8.part"), "still coming");
            Path liveUndated = Files.writeString(bodies.resolve(".bulkfetch-" + self.pid()
                    + "-0badf00d-8.part"), "still coming, named as before");
            Path other = Files.writeString(bodies.resolve(".bulkfetch-notes.part"), "mine");

            Cli.run("fetch", server.urlList(dir, "/ok/", 1).toString(), "--save-bodies",
                    bodies.toString(), "-q");

            assertThat(dead).doesNotExist();
            assertThat(idTaken).doesNotExist();
            assertThat(live).exists();
            assertThat(liveUndated).exists();
            assertThat(other).exists();
            assertThat(bodies.resolve("1.body")).exists();
        }
    }

    /** A folder that takes no file stops the run before any request: all would be lost. */
    @Test
    void aFolderThatCannotBeWrittenIsAUsageError() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/sys/kernel")),
                "Linux's /sys, which no one can write to");
        try (TestServer server = new TestServer()) {
            Cli.Result result = Cli.run("fetch", server.urlList(dir, "/ok/", 1).toString(),
                    "--save-bodies", "/sys", "-q");
            assertThat(result.exitCode()).isEqualTo(2);
            assertThat(result.err()).contains("'--save-bodies'").contains("cannot write into /sys");
            assertThat(server.wireMock().getAllServeEvents()).isEmpty();
        }
    }

    /** An empty folder where a body goes is replaced, as a file there is; so was it before. */
    @Test
    void anEmptyFolderWhereABodyGoesIsReplaced() throws Exception {
        try (TestServer server = new TestServer()) {
            Path bodies = Files.createDirectories(dir.resolve("bodies").resolve("1.body"))
                    .getParent();
            Cli.Result result = Cli.run("fetch", server.urlList(dir, "/ok/", 2).toString(),
                    "--save-bodies", bodies.toString(), "-q");
            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(Files.readString(bodies.resolve("1.body"))).isEqualTo("{\"ok\":true}");
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
        // A part begun after the close (a read that outlived it) removes itself.
        store.handler().open(null).accept(ByteBuffer.wrap("late".getBytes()));
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

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;  // renamed or deleted meanwhile
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
