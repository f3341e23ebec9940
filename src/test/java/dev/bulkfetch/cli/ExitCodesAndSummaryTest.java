package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.RefusedPort;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ExitCodesAndSummaryTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @TempDir
    Path dir;

    @Test
    void exitsZeroWhenEveryItemIsOk() {
        Path list = server.urlList(dir, "/ok/", 20);
        Cli.Result result = Cli.run("fetch", list.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(result.err()).contains("20 items: 20 ok, 0 failed");
    }

    @Test
    void exitsOneWhenTheRunCompletesWithFailuresAndTheSummaryMatchesTheRecords()
            throws Exception {
        String text = String.join("\n", server.url("/ok/1"), server.url("/status/404/1"),
                server.url("/status/404/2"), server.url("/status/500/1"),
                server.url("/status/429/1"), "not a url", server.url("/ok/2")) + "\n";
        Path list = TestServer.write(dir.resolve("mixed.txt"), text);
        Path summaryFile = dir.resolve("summary.json");

        Cli.Result result = Cli.run("fetch", list.toString(), "--summary-json",
                summaryFile.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.SOME_FAILED);
        List<JsonNode> records = Records.parse(result.out());
        JsonNode summary = Records.json(Files.readString(summaryFile));
        Map<String, Long> kinds = records.stream().filter(r -> !r.get("ok").asBoolean())
                .collect(Collectors.groupingBy(r -> r.get("error").get("kind").asText(),
                        Collectors.counting()));
        assertThat(kinds).containsExactlyInAnyOrderEntriesOf(
                Map.of("http", 3L, "rate_limited", 1L, "input", 1L));
        assertThat(summary.get("items").asLong()).isEqualTo(records.size()).isEqualTo(7);
        assertThat(summary.get("ok").asLong()).isEqualTo(2);
        assertThat(summary.get("failed").asLong()).isEqualTo(5);
        kinds.forEach((kind, count) ->
                assertThat(summary.get("errors").get(kind).asLong()).as(kind).isEqualTo(count));
        assertThat(summary.get("statuses").get("404").asLong()).isEqualTo(2);
        assertThat(summary.get("statuses").get("200").asLong()).isEqualTo(2);
        assertThat(result.err()).contains("7 items: 2 ok, 5 failed")
                .contains("http 3").contains("rate_limited 1").contains("input 1")
                .contains("p99");
    }

    /**
     * Under a rate most admitted requests wait for their start, holding a permit: they are
     * not in flight, and the summary counted them as if they were ("most in flight 8" with
     * one request on the wire at a time).
     */
    @Test
    void theMostInFlightCountsRequestsOnTheWireNotThoseWaitingForTheRate() throws Exception {
        Path list = server.urlList(dir, "/ok/", 12);
        Path summaryFile = dir.resolve("summary.json");

        Cli.Result result = Cli.run("fetch", list.toString(), "-c", "8", "--rate", "20/s",
                "--summary-json", summaryFile.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        // A start every 50 ms against answers in a few ms: all 8 admitted at once would take
        // 400 ms to answer.
        assertThat(Records.json(Files.readString(summaryFile)).get("peak_in_flight").asInt())
                .isBetween(1, 7);
    }

    @Test
    void exitsTwoNamingAMissingInputFile() {
        Cli.Result result = Cli.run("fetch", dir.resolve("nope.txt").toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("input file not found").contains("nope.txt");
        assertThat(result.out()).isEmpty();
    }

    /**
     * A name the JVM cannot make a file name of (here a lone surrogate, which no encoding
     * writes; under a C locale any letter outside ASCII) is a usage error naming it, not a
     * stack trace and exit 1.
     */
    @Test
    void exitsTwoNamingAnInputNameTheSystemCannotEncode() {
        String name = dir + "/list-\uD800.txt";
        Cli.Result result = Cli.run("fetch", name);
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("bulkfetch fetch: cannot use the file name '")
                .contains("list-").contains("LANG=C.UTF-8").doesNotContain("\tat ");
        assertThat(result.out()).isEmpty();
    }

    /**
     * A UTF-16 list gave a "not valid UTF-8" record, then one whose url was "\u0000" for each
     * line after. It is refused as an input that cannot be read, naming the file and the way
     * to convert it, before -o is touched; so are JSON Lines specs and stdin.
     */
    @Test
    void exitsTwoRefusingAUtf16InputAsAWholeSayingHowToConvertIt() throws Exception {
        byte[] utf16 = "\uFEFFhttp://127.0.0.1:1/a\nhttp://127.0.0.1:1/b\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        Path list = Files.write(dir.resolve("windows list.txt"), utf16);
        Path specs = Files.write(dir.resolve("specs.jsonl"), "\uFEFF{\"url\": \"http://h/\"}\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_16BE));
        Path out = Files.writeString(dir.resolve("out.jsonl"), "earlier records\n");

        Cli.Result file = Cli.run("fetch", list.toString(), "-o", out.toString());
        Cli.Result jsonl = Cli.run("fetch", specs.toString());
        Cli.Result stdin = Cli.runWithInput(utf16, "fetch", "-");

        assertThat(file.exitCode()).as(file.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(file.err().strip()).isEqualTo("bulkfetch fetch: input " + list + " is UTF-16"
                + " (little-endian: it begins with the byte order mark FF FE), where bulkfetch"
                + " reads UTF-8: convert it first, with iconv -f UTF-16 -t UTF-8 '" + list
                + "' > '" + dir.resolve("windows list-utf8.txt") + "'");
        assertThat(Files.readString(out)).isEqualTo("earlier records\n");
        assertThat(jsonl.exitCode()).as(jsonl.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(jsonl.err()).contains("input " + specs + " is UTF-16 (big-endian")
                .contains("iconv -f UTF-16 -t UTF-8 " + specs + " > "
                        + dir.resolve("specs-utf8.jsonl"));
        assertThat(stdin.exitCode()).as(stdin.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(stdin.err().strip()).isEqualTo("bulkfetch fetch: stdin is UTF-16"
                + " (little-endian: it begins with the byte order mark FF FE), where bulkfetch"
                + " reads UTF-8: convert it on its way in, through iconv -f UTF-16 -t UTF-8");
        assertThat(file.out() + jsonl.out() + stdin.out()).isEmpty();
    }

    @Test
    void exitsTwoSayingAFolderGivenAsInputIsNoList() {
        Cli.Result result = Cli.run("fetch", dir.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().strip()).isEqualTo("bulkfetch fetch: input " + dir
                + " is a folder, not a URL list");
    }

    /**
     * After review: a demo list fetched without --mock failed every item on a refused port,
     * and the summary said only "connect 2000". A run where nothing could connect says so.
     */
    @Test
    void aRunWhereNoItemCouldConnectSaysSoQuietOrNot() throws Exception {
        try (RefusedPort closed = new RefusedPort()) {
            String text = closed.url("/a") + "\nnot a url\n" + closed.url("/b") + "\n";
            Path list = TestServer.write(dir.resolve("refused.txt"), text);
            Cli.Result refused = Cli.run("fetch", list.toString(), "-q", "--retries", "0");
            assertThat(refused.exitCode()).isEqualTo(ExitCodes.SOME_FAILED);
            assertThat(refused.err())
                    .contains("warning: no item could connect: is the server up?")
                    .doesNotContain("urls/");
            // A list under a urls/ folder, as the demo lists are, which name the mock's port.
            Path demo = TestServer.write(Files.createDirectories(dir.resolve("urls"))
                    .resolve("demo-like.txt"), text);
            assertThat(Cli.run("fetch", demo.toString(), "-q", "--retries", "0").err())
                    .contains("is the server up? (the lists under urls/ name the mock, on"
                    + " 127.0.0.1:8089: add --mock");

            Path mixed = TestServer.write(dir.resolve("mixed.txt"), closed.url("/a") + "\n"
                    + server.url("/ok/1") + "\n");
            assertThat(Cli.run("fetch", mixed.toString(), "-q", "--retries", "0").err())
                    .doesNotContain("no item could connect");
        }
    }

    @Test
    void exitsTwoNamingABadOptionValue() {
        Path list = server.urlList(dir, "/ok/", 1);
        Cli.Result result = Cli.run("fetch", list.toString(), "-c", "0");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("--concurrency").contains("0");
    }

    @Test
    void noSubcommandOrAnUnknownOneIsAUsageErrorAndHelpListsEveryCommand() {
        assertThat(Cli.run().exitCode()).isEqualTo(ExitCodes.USAGE);
        Cli.Result unknown = Cli.run("fecth", "x");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("fecth");
        Cli.Result help = Cli.run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("fetch").contains("compare").contains("serve");
    }

    /** serve --root '' said the current folder had no mappings/ folder. */
    @Test
    void serveSaysAnEmptyRootNameIsEmpty() {
        Cli.Result result = Cli.run("serve", "--port", "0", "--root", "");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("Invalid value for option '--root': the name is empty");
    }

    /** "bulkfetch help" was an unknown command, and a misspelt option got no suggestion. */
    @Test
    void helpIsACommandAndAMisspeltOptionOrCommandGetsASuggestion() {
        Cli.Result help = Cli.run("help", "fetch");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: bulkfetch fetch").contains("--concurrency");
        // Registered only with every command (a run does without it): there, "help" alone.
        Cli.Result all = Cli.run("help");
        assertThat(all.exitCode()).isZero();
        assertThat(all.out()).contains("fetch").contains("compare").contains("serve");

        Cli.Result option = Cli.run("fetch", "urls/demo.txt", "--concurency", "5");
        assertThat(option.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(option.err()).contains("Unknown option: '--concurency'")
                .contains("Possible solutions: --concurrency");
        // After review: the misspelt option is said first, whatever it made of the rest: the
        // list missing, or the 5 taken for the list and the list then left over.
        Cli.Result noList = Cli.run("fetch", "--mock", "-c", "200", "--ordred");
        assertThat(noList.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noList.err()).startsWith("Unknown option: '--ordred'")
                .contains("Possible solutions: --ordered").doesNotContain("Missing");
        Cli.Result before = Cli.run("fetch", "--concurency", "5", "urls/demo.txt");
        assertThat(before.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(before.err()).startsWith("Unknown option: '--concurency'\n")
                .contains("Possible solutions: --concurrency");

        Cli.Result command = Cli.run("fetc", "urls/demo.txt");
        assertThat(command.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(command.err()).contains("Did you mean: bulkfetch fetch?");
    }

    /** An empty list, or one of comments only, ended "0 items ... ok" as if all went well. */
    @Test
    void anInputWithNoItemIsWarnedOfQuietOrNot() throws Exception {
        Path comments = Files.writeString(dir.resolve("comments.txt"), "# nothing yet\n\n");
        Cli.Result result = Cli.run("fetch", comments.toString(), "-q");
        assertThat(result.exitCode()).isZero();
        assertThat(result.err()).contains("warning: " + comments + " held no item");

        Cli.Result stdin = Cli.runWithInput("", "fetch", "-", "-q");
        assertThat(stdin.err()).contains("warning: stdin held no item");
    }

    /**
     * A run that sent no request (a resume with nothing left, a list of bad lines) printed
     * "latency ms: p50 0.0, p90 0.0, ..." and wrote zeros for them: latencies of nothing. The
     * figures are left out, and --summary-json's latency_ms is null, as its rate is unlimited.
     */
    @Test
    void aRunThatSentNoRequestShowsNoLatency() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.txt"), "not a url\nftp://h/x\n");
        Path summaryFile = dir.resolve("summary.json");

        Cli.Result result = Cli.run("fetch", bad.toString(), "--summary-json",
                summaryFile.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.SOME_FAILED);
        assertThat(result.err()).contains("2 items: 0 ok, 2 failed").contains("input 2")
                .doesNotContain("latency").doesNotContain("p50");
        JsonNode summary = Records.json(Files.readString(summaryFile));
        assertThat(summary.get("latency_ms").isNull()).as(summary.toString()).isTrue();

        Cli.Result sent = Cli.run("fetch", server.urlList(dir, "/ok/", 2).toString(),
                "--summary-json", summaryFile.toString());
        assertThat(sent.err()).contains("latency ms: p50 ");
        assertThat(Records.json(Files.readString(summaryFile)).get("latency_ms").get("p50")
                .isNumber()).isTrue();
    }

    /**
     * A stub file that is not valid JSON was a stack trace and exit 1: the user's to mend,
     * told which file and why.
     */
    @Test
    void aMappingFileThatCannotBeReadIsAUsageErrorNamingIt() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root").resolve("mappings")).getParent();
        Path bad = Files.writeString(root.resolve("mappings").resolve("bad.json"),
                "{\"request\": {\n");
        java.util.concurrent.CompletableFuture<Cli.Result> serving =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> Cli.run("serve",
                        "--port", "0", "--root", root.toString()),
                        runnable -> Thread.ofPlatform().daemon().start(runnable));

        Cli.Result result = serving.get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("cannot read the mappings").contains(bad.toString())
                .doesNotContain("\tat ");
        // Why, on the same line: only WireMock's first line was kept, and it ended at the
        // colon ("Error loading file F:"). Jackson's place is the line and column, not a
        // quote of the file.
        assertThat(result.err().lines().findFirst()).get(
                org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains(bad + ": Unexpected end-of-input").endsWith(" at line 2, column 1")
                .doesNotContain("[Source:");
    }

    /**
     * A root whose mappings folder held no stub was served without a word, every request then
     * answered 404: serve says how many stubs it serves, and warns when there are none.
     */
    @Test
    void serveSaysHowManyStubsItServesAndWarnsWhenItServesNone() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty").resolve("mappings")).getParent();
        Path one = Files.createDirectories(dir.resolve("one").resolve("mappings")).getParent();
        Files.writeString(one.resolve("mappings").resolve("ok.json"), """
                {"request": {"method": "GET", "url": "/ok"}, "response": {"status": 200}}
                """);
        // The one stub behind --limit, which the line names too.
        for (Map.Entry<Path, String> served : Map.of(empty, "0 stubs, on http://127.0.0.1:",
                one, "1 stub, limited to 100/s (429 over it), on http://127.0.0.1:")
                .entrySet()) {
            Path stderr = dir.resolve(served.getKey().getFileName() + "-err.txt");
            List<String> args = new java.util.ArrayList<>(List.of("serve", "--port", "0",
                    "--root", served.getKey().toString()));
            if (served.getKey().equals(one)) {
                args.addAll(List.of("--limit", "100/s"));
            }
            Process serve = dev.bulkfetch.testing.Child.start(stderr, List.of(),
                    args.toArray(String[]::new));
            try {
                dev.bulkfetch.testing.Child.awaitText(stderr, "(Ctrl-C stops)", serve,
                        java.time.Duration.ofSeconds(60));
                String said = Files.readString(stderr);
                assertThat(said).contains("serving " + served.getKey() + ", " + served.getValue());
                if (served.getKey().equals(empty)) {
                    assertThat(said).contains("serve: warning: " + empty.resolve("mappings")
                            + " holds no stub: every request is answered 404");
                } else {
                    assertThat(said).doesNotContain("warning");
                }
            } finally {
                serve.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aTakenMockPortAndABadServePortAreUsageErrorsNamingThem() throws Exception {
        Path list = server.urlList(dir, "/ok/", 1);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            Cli.Result result = Cli.run("fetch", list.toString(), "--mock", "--mock-port",
                    Integer.toString(taken.getLocalPort()));
            assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(result.err()).contains("Invalid value for option '--mock-port': port "
                    + taken.getLocalPort() + " is already in use").contains("0 picks a free one");
        }
        // The default port taken (most often by the user's own bulkfetch serve): the option
        // the user did not type is not blamed, and the way out is said.
        java.net.ServerSocket ours = null;
        try {
            ours = new java.net.ServerSocket(8089, 1, java.net.InetAddress.getLoopbackAddress());
        } catch (java.io.IOException takenAlready) {
            // Taken all the same.
        }
        try {
            Cli.Result result = Cli.run("fetch", list.toString(), "--mock");
            assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(result.err()).startsWith("port 8089, --mock-port's default, is already "
                    + "in use: if a bulkfetch serve runs there, name the list without --mock to"
                    + " use it;"
                    + " or give --mock-port 0 to pick a free port");
        } finally {
            if (ours != null) {
                ours.close();
            }
        }
        // Without --mock the port was ignored, whatever it was.
        Cli.Result portAlone = Cli.run("fetch", list.toString(), "--mock-port", "70000", "-q");
        assertThat(portAlone.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(portAlone.err()).contains("'--mock-port'").contains("--mock");
        assertThat(portAlone.out()).isEmpty();
        Cli.Result serve = Cli.run("serve", "--port", "70000");
        assertThat(serve.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(serve.err()).contains("--port").contains("70000");
        // A mistyped --root served the built-in stubs while saying it served that folder.
        Path missing = dir.resolve("no-such-root");
        // On a thread, with a limit: serve that starts runs until interrupted.
        java.util.concurrent.CompletableFuture<Cli.Result> serving =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> Cli.run("serve",
                        "--port", "0", "--root", missing.toString()),
                        runnable -> Thread.ofPlatform().daemon().start(runnable));
        Cli.Result root;
        try {
            root = serving.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("serve started, serving what --root does not hold", e);
        }
        assertThat(root.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(root.err()).contains("Invalid value for option '--root': " + missing
                + " does not exist");
        Path unmapped = java.nio.file.Files.createDirectories(dir.resolve("unmapped-root"));
        Cli.Result noMappings = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Cli.run("serve", "--port", "0", "--root", unmapped.toString()),
                runnable -> Thread.ofPlatform().daemon().start(runnable))
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(noMappings.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noMappings.err()).contains("Invalid value for option '--root': " + unmapped
                + " has no mappings/ folder");
    }

    @Test
    void anUnwritableOutputFileExitsTwoBeforeAnyRequestIsSent() {
        server.counter().reset();
        Path list = server.urlList(dir, "/held/", 3);
        Path output = dir.resolve("no-such-dir").resolve("out.jsonl");

        Cli.Result result = Cli.run("fetch", list.toString(), "-o", output.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("cannot write output file").contains("out.jsonl")
                .contains("there is no folder").doesNotContain("Exception");
        assertThat(server.counter().served()).isZero();
    }

    @Test
    void readsTheUrlListFromStdinWithADash() {
        String stdin = server.url("/ok/1") + "\n" + server.url("/ok/2") + "\n";
        Cli.Result result = Cli.runWithInput(stdin, "fetch", "-", "-q");
        assertThat(result.exitCode()).isZero();
        assertThat(Records.parse(result.out())).hasSize(2);
    }
}
