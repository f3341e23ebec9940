package dev.bulkfetch.compare;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code compare} reads as its list, as fetch reads it: the built-in demo when
 * none is given, a pipe read once for every run, JSON Lines request specs with their
 * URLs pointed at the mock; and a folder or stdin refused.
 */
class CompareListTest {

    @TempDir
    Path dir;

    /**
     * The main job, {@code compare} with no list, from a folder other than the repository's:
     * it failed ("input file not found: urls/demo.txt"), though the mock's stubs come from the
     * jar there. The demo list now does too.
     */
    @Test
    void withNoListCompareRunsTheBuiltInDemoFromAnyFolder() throws Exception {
        Path out = dir.resolve("out.txt");
        Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.bulkfetch.cli.Main",
                "compare", "--engines", "event-loop", "-c", "64", "--warmup", "0",
                "--mock-port", "0", "--report", "report")
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        try {
            assertThat(child.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
        assertThat(Files.readString(out)).contains("Verdict: Fastest: event-loop at -c 64");
        assertThat(Files.readString(dir.resolve("err.txt"))).contains("compare: urls/demo.txt");
        // The copy of the list the runs read (the jar's) is not left in the report folder.
        try (var files = Files.list(dir.resolve("report"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("runs.json", "report.html");
        }
    }

    /**
     * After review: each forked run reads the list again, so a list from a pipe (a named
     * one, <(...)) was read by the first run only and every run failed; and stdin was
     * "input file not found: -". A pipe is read once for all the runs; stdin is refused
     * saying why.
     */
    @Test
    void aListFromAPipeIsReadOnceForEveryRunAndStdinIsRefusedSayingWhy() throws Exception {
        Path pipe = dir.resolve("list.pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            try {
                Files.writeString(pipe, "http://127.0.0.1:8089/items/1\n"
                        + "http://127.0.0.1:8089/items/2\n");
            } catch (java.io.IOException e) {
                // Never opened by the run: the assertions below say so.
            }
        });

        Cli.Result result = Cli.run("compare", pipe.toString(), "--mock", "--mock-port", "0",
                "--engines", "serial,threads", "-c", "2", "--warmup", "0", "--repeat", "1");
        writer.join(10_000);

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("Verdict: Fastest");
        Cli.Result stdin = Cli.run("compare", "-", "--engines", "serial");
        assertThat(stdin.exitCode()).isEqualTo(2);
        assertThat(stdin.err()).contains("Invalid value for the list '-' (stdin):")
                .contains("stdin can be read once");
    }

    /**
     * Specs from a pipe, whose copy the runs read under the pipe's name (no .jsonl), are read
     * as specs with --input-format jsonl: each was an input error, compare had no such option.
     */
    @Test
    void specsFromAPipeAreReadAsTheInputFormatSays() throws Exception {
        Path pipe = dir.resolve("specs.pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            try {
                Files.writeString(pipe, "{\"url\": \"http://127.0.0.1:8089/items/1\"}\n"
                        + "{\"url\": \"http://127.0.0.1:8089/items/2\", \"id\": \"b\"}\n");
            } catch (java.io.IOException e) {
                // Never opened by the run: the assertions below say so.
            }
        });
        Path report = dir.resolve("report");

        Cli.Result result = Cli.run("compare", pipe.toString(), "--input-format", "jsonl",
                "--mock", "--mock-port", "0", "--engines", "serial,threads", "-c", "2",
                "--warmup", "0", "--report", report.toString());
        writer.join(10_000);

        assertThat(result.exitCode()).as(result.err()).isZero();
        for (JsonNode run : Records.json(Files.readString(report.resolve("runs.json")))
                .get("runs")) {
            assertThat(run.get("ok").asLong()).as(run.toString()).isEqualTo(2);
        }
    }

    /** A folder given as the list failed each forked run, after the mock had started. */
    @Test
    void aFolderGivenAsTheListIsAUsageError() {
        Cli.Result result = Cli.run("compare", dir.toString(), "--engines", "serial");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("is a folder, not a URL list");
    }

    /**
     * JSON Lines request specs are read as fetch reads them: every spec was an input error,
     * and "Nothing was sent".
     */
    @Test
    void aListOfRequestSpecsIsComparedAsFetchReadsIt() throws Exception {
        try (TestServer server = new TestServer()) {
            String specs = IntStream.rangeClosed(1, 6).mapToObj(n -> "{\"id\": \"s" + n
                    + "\", \"url\": \"" + server.url("/ok/" + n) + "\", \"method\": \"GET\"}")
                    .collect(Collectors.joining("\n", "", "\n"));
            Path list = TestServer.write(dir.resolve("specs.jsonl"), specs);

            Path report = dir.resolve("report");
            Cli.Result result = Cli.run("compare", list.toString(), "--engines",
                    "threads,serial", "-c", "2", "--warmup", "0", "--repeat", "1", "--report",
                    report.toString());

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(result.out()).containsPattern("(?m)^threads +2 .* 0 +")
                    .doesNotContain("input");
            // The page's title names the engines that ran, not all four.
            assertThat(Files.readString(report.resolve("report.html")))
                    .contains("<h1>bulkfetch compare: threads, serial</h1>");
        }
    }

    /**
     * Every run sends the whole list, and its warm-up the first items again: a list of POSTs
     * reached the server many times each, unsaid. A line on stderr says so, with how many
     * and how often, before the runs start; a list of GETs gets none.
     */
    @Test
    void requestsThatAreNotIdempotentAreSaidToBeSentMoreThanOnce() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = TestServer.write(dir.resolve("specs.jsonl"), String.join("\n",
                    spec(server, 1, "POST"), spec(server, 2, "GET"), spec(server, 3, "PATCH"),
                    spec(server, 4, "POST"), ""));

            Cli.Result result = Cli.run("compare", list.toString(), "--engines",
                    "threads,serial", "-c", "2", "--warmup", "2", "--repeat", "1");

            String said = "compare: 3 requests in the list are not idempotent (PATCH, POST),"
                    + " yet are sent more than once: by every run (2), and 1 of them again by"
                    + " each run's warm-up (--warmup 2), up to 4 times in all";
            assertThat(result.err()).contains(said);
            assertThat(result.err().indexOf(said)).isLessThan(result.err().indexOf("run 1/1"));

            Path gets = TestServer.write(dir.resolve("gets.jsonl"), String.join("\n",
                    spec(server, 1, "GET"), spec(server, 2, "HEAD"), ""));
            assertThat(RepeatedSends.warning(new Comparison.Plan(gets,
                    java.util.List.of(dev.bulkfetch.EngineKind.THREADS), java.util.List.of(2),
                    3, 200, null, dev.bulkfetch.FetchConfig.builder().build()))).isNull();

            // A URL list's lines are POSTs with -X POST, and said to be (after review).
            Path urls = server.urlList(dir, "/ok/", 2);
            assertThat(RepeatedSends.warning(new Comparison.Plan(urls,
                    java.util.List.of(dev.bulkfetch.EngineKind.THREADS), java.util.List.of(2),
                    2, 0, null, dev.bulkfetch.FetchConfig.builder().build(), null,
                    new Comparison.Requests("POST", java.util.Map.of(), null))))
                    .isEqualTo("compare: 2 requests in the list are not idempotent (POST),"
                            + " yet are sent more than once: by every run (2), up to 2 times in"
                            + " all");
        }
    }

    private static String spec(TestServer server, int n, String method) {
        return "{\"url\": \"" + server.url("/ok/" + n) + "\", \"method\": \"" + method
                + "\"}";
    }

    /**
     * After review: with the mock on another port than 8089, specs' URLs were rewritten as
     * text, so "http:\\/\\/127.0.0.1:8089\\/..." (JSON's escaped slashes) went to port 8089,
     * where fetch sends it to the mock: every such item failed to connect.
     */
    @Test
    void aSpecsUrlIsPointedAtTheMockAsFetchPointsIt() throws Exception {
        Path list = TestServer.write(dir.resolve("specs.jsonl"),
                "{\"url\": \"http:\\/\\/127.0.0.1:8089\\/items\\/1\"}\n"
                + "{\"id\": \"b\", \"url\": \"http://127.0.0.1:8089/items/2\"}\n");

        Cli.Result result = Cli.run("compare", list.toString(), "--mock", "--mock-port", "0",
                "--engines", "serial", "--warmup", "0", "--repeat", "1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).doesNotContain("connect");
    }

    /**
     * After review: with the mock on another port than 8089, compare ran a rewritten copy of
     * the list. Lines URI cannot parse (a '|', a '"', a first line after a BOM, CRLF) kept
     * 8089 and failed to connect, where fetch sends them to the mock; and every spec was
     * re-serialized, so a body's numbers were rounded ("0.1", "Infinity"). The runs now point
     * the mock's URLs at its port as fetch does, and read the list as it is.
     */
    @Test
    void mockUrlsFetchCannotParseGoToTheMockAndSpecsBodiesGoByteForByte() throws Exception {
        Path list = dir.resolve("odd.txt");
        Files.write(list, ("\uFEFFhttp://127.0.0.1:8089/items/1?x=a|b\r\n"
                + "http://127.0.0.1:8089/items/2?x=\"q\"\r\n"
                + "http://127.0.0.1:8089/items/3\r\n").getBytes(StandardCharsets.UTF_8));

        Path urlsReport = dir.resolve("urls-report");
        Cli.Result urls = Cli.run("compare", list.toString(), "--mock", "--mock-port", "0",
                "--engines", "event-loop", "-c", "2", "--warmup", "0", "--report",
                urlsReport.toString());

        assertThat(urls.exitCode()).as(urls.err()).isZero();
        assertEveryItemOk(urlsReport, 3);
        try (TestServer echo = new TestServer()) {
            echo.wireMock().stubFor(post(urlEqualTo("/echo/1"))
                    .willReturn(aResponse().withStatus(200)));
            String body = "{\"n\": 12345678901234567890123, \"x\": "
                    + "0.1000000000000000055511151231257827, \"big\": 1E400}";
            Path specs = TestServer.write(dir.resolve("specs.jsonl"), "{\"url\": \""
                    + echo.url("/echo/1") + "\", \"method\": \"POST\", \"body\": " + body
                    + "}\n{\"url\": \"http://127.0.0.1:8089/items/4\"}\n");

            Path specsReport = dir.resolve("specs-report");
            Cli.Result sent = Cli.run("compare", specs.toString(), "--mock", "--mock-port",
                    "0", "--engines", "event-loop", "-c", "2", "--warmup", "0", "--report",
                    specsReport.toString());

            assertThat(sent.exitCode()).as(sent.err()).isZero();
            assertEveryItemOk(specsReport, 2);
            assertThat(echo.wireMock().findAll(postRequestedFor(urlEqualTo("/echo/1"))))
                    .singleElement().extracting(r -> r.getBodyAsString()).isEqualTo(body);
        }
    }

    private static void assertEveryItemOk(Path report, long items) throws Exception {
        JsonNode run = Records.json(Files.readString(report.resolve("runs.json")))
                .get("runs").get(0);
        assertThat(run.get("items").asLong()).as(run.toString()).isEqualTo(items);
        assertThat(run.get("ok").asLong()).as(run.toString()).isEqualTo(items);
    }

    /**
     * An empty list measured no latency, yet the table showed p50 and p99 as 0.0 and
     * runs.json as 0.0, which reads as fast: "-" and null, as fetch's summary has it.
     */
    @Test
    void anEmptyListHasNoLatencyInTheTableNorInRunsJson() throws Exception {
        Path list = Files.writeString(dir.resolve("empty.txt"), "");
        Path report = dir.resolve("report");

        Cli.Result result = Cli.run("compare", list.toString(), "--engines", "serial,threads",
                "-c", "2", "--warmup", "0", "--report", report.toString());

        assertThat(result.out()).as(result.err())
                .containsPattern("(?m)^serial +1 +\\S+ +\\S+ +- +- ")
                .containsPattern("(?m)^threads +2 +\\S+ +\\S+ +- +- ");
        var json = Fork.JSON.readTree(report.resolve("runs.json").toFile());
        for (String part : new String[] {"runs", "rows"}) {
            assertThat(json.get(part)).hasSize(2).allSatisfy(run -> {
                assertThat(run.get("p50_millis").isNull()).as(run.toString()).isTrue();
                assertThat(run.get("p99_millis").isNull()).as(run.toString()).isTrue();
            });
        }
    }
}
