package dev.bulkfetch.output;

import static dev.bulkfetch.output.WrittenLines.awaitLines;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run killed any number of times ends, resumed, with exactly one record per item. */
class ResumeTest {

    @TempDir
    Path dir;

    @Test
    void killedAtSeveralPointsAndResumedEveryItemHasExactlyOneRecord() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/quick-held/", 5_000);
            Path out = dir.resolve("out.jsonl");
            String[] args = {"fetch", list.toString(), "-o", out.toString(), "-c", "64",
                "--resume", "-q"};
            for (long killAt : new long[] {300, 1_200, 2_500, 4_000}) {
                Process child = Child.start(dir.resolve("err.txt"), List.of(), args);
                awaitLines(out, killAt, child);
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            Process last = Child.start(dir.resolve("err.txt"), List.of(), args);
            assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(last.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();

            List<JsonNode> records = Records.read(out);
            Map<Long, Long> perSeq = records.stream().collect(Collectors.groupingBy(
                    r -> r.get("seq").asLong(), Collectors.counting()));
            assertThat(perSeq).hasSize(5_000);
            assertThat(perSeq.values()).containsOnly(1L);
            assertThat(records).allMatch(r -> r.get("ok").asBoolean());
            assertThat(server.counter().served()).as("requests sent").isGreaterThanOrEqualTo(5_000);
        }
    }

    @Test
    void aTornLastLineIsCutAndItsItemFetchedAgain() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 5);
            Path out = dir.resolve("out.jsonl");
            assertThat(Cli.run("fetch", list.toString(), "-o", out.toString(), "-q",
                    "--ordered").exitCode()).isZero();
            List<String> written = Files.readAllLines(out);
            String torn = String.join("\n", written.subList(0, 3)) + "\n"
                    + written.get(3).substring(0, 20);
            Files.writeString(out, torn, StandardCharsets.UTF_8);

            Cli.Result resumed = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume");

            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            assertThat(resumed.err()).contains("3 records kept").contains("torn last line");
            assertThat(resumed.err()).contains("2 items: 2 ok");
            assertThat(Records.read(out)).extracting(r -> r.get("seq").asLong())
                    .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
        }
    }

    /**
     * A resume of a finished run fetches nothing; its summary said 0 items, 0 failed, beside
     * exit code 1 for a record kept from before that was not ok.
     */
    @Test
    void aResumedRunsSummaryCountsTheRecordsKeptFromBefore() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = TestServer.write(dir.resolve("list.txt"), server.url("/ok/1") + "\n"
                    + server.url("/status/404/2") + "\n" + server.url("/ok/3") + "\n");
            Path out = dir.resolve("out.jsonl");
            Path summary = dir.resolve("summary.json");
            assertThat(Cli.run("fetch", list.toString(), "-o", out.toString(), "-q")
                    .exitCode()).isEqualTo(1);

            Cli.Result resumed = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume", "--summary-json", summary.toString());

            assertThat(resumed.exitCode()).isEqualTo(1);
            assertThat(resumed.err()).contains("kept from earlier runs: 3 records, 1 not ok");
            JsonNode json = Records.parse(Files.readString(summary).replace("\n", " ") + "\n")
                    .getFirst();
            assertThat(json.get("items").asLong()).isZero();
            assertThat(json.get("kept").asLong()).isEqualTo(3);
            assertThat(json.get("kept_failed").asLong()).isEqualTo(1);
            assertThat(json.get("all_ok").asBoolean()).isFalse();
        }
    }

    /**
     * After review: a journal holding two records of one item (records appended again, by an
     * edit or a {@code cat >>}) resumed, said "15 records kept" for 12 items, and kept both.
     * It is refused now, as a line that is no record is: by its line and seq, exit 2, before
     * anything is sent, the file left as it was.
     */
    @Test
    void aJournalWithTwoRecordsOfOneItemIsRefusedBeforeAnythingIsSent() throws Exception {
        // Items 10 to 12 left to do, and records 1 to 3 appended once more.
        Refusal refused = refusedResumeAfter(written -> {
            List<String> journal = new java.util.ArrayList<>(written.subList(0, 9));
            journal.addAll(written.subList(0, 3));
            return journal;
        });

        assertThat(refused.err()).contains("its line 10 is a second record of seq 1")
                .contains("line 1 holds the first").contains("3 lines in all")
                .doesNotContain("records kept");
    }

    /**
     * After review: a record whose seq no line of the input has ({@code "seq":99} for a list
     * of 12 lines, an edit) was kept and counted as done. It is refused now, by its line and
     * seq, before anything is sent.
     */
    @Test
    void aRecordOfAnItemTheInputDoesNotHaveIsRefusedBeforeAnythingIsSent() throws Exception {
        Refusal refused = refusedResumeAfter(written -> {
            List<String> journal = new java.util.ArrayList<>(written.subList(0, 9));
            journal.add("{\"seq\":99,\"ok\":true}");
            return journal;
        });

        assertThat(refused.err()).contains("its line 10 is a record of seq 99")
                .contains(refused.list() + " has 12 lines");
    }

    /**
     * An item's seq is its line number, blank lines and comments counted, but they are no
     * items: a record of one ({@code "seq":2} for a list whose line 2 is blank, an edit, or the
     * journal of another list) was kept, and counted as done. It is refused now, as a record
     * past the input's last line is.
     */
    @Test
    void aRecordOfABlankOrCommentLineIsRefusedBeforeAnythingIsSent() throws Exception {
        Refusal refused = refusedResumeAfter(server -> TestServer.write(dir.resolve("list.txt"),
                "# the list\n\n" + server.url("/quick-held/3") + "\n   # not yet\n"
                        + server.url("/quick-held/5") + "\n"), written -> {
            List<String> journal = new java.util.ArrayList<>(written.subList(0, 1));
            journal.add("{\"seq\":4,\"ok\":true}");
            journal.add("{\"seq\":2,\"ok\":true}");
            return journal;
        });

        assertThat(refused.err()).contains("its line 2 is a record of seq 4")
                .contains("line 4 of the input " + refused.list() + " is blank or a comment")
                .contains("2 blank or comment lines of it have records");
    }

    /**
     * JSON Lines have blank lines and comments as a URL list has, but lines up to 1 MiB: a
     * comment of 10,000 bytes is one (in a URL list, an item: a line too long), and a record of
     * it is refused. The specs are in a .txt, read as JSON Lines as --input-format says.
     */
    @Test
    void aRecordOfAJsonLinesCommentIsRefusedBeforeAnythingIsSent() throws Exception {
        Refusal refused = refusedResumeAfter(server -> TestServer.write(
                dir.resolve("specs.txt"), spec(server, 1) + "\n#" + "x".repeat(10_000) + "\n"
                        + spec(server, 3) + "\n"), written -> {
            List<String> journal = new java.util.ArrayList<>(written);
            journal.add("{\"seq\":2,\"ok\":true}");
            return journal;
        }, "--input-format", "jsonl");

        assertThat(refused.err()).contains("its line 3 is a record of seq 2")
                .contains("line 2 of the input " + refused.list() + " is blank or a comment");
    }

    /**
     * A line that cannot become a request is an item all the same, and its input error's
     * record is kept on resume as any done item's: in a URL list, a line that is no URL, one
     * that is not UTF-8, and one longer than its 8 KiB, a '#' line too (a comment in JSON
     * Lines, whose lines may be 1 MiB); in JSON Lines, a line that is no spec.
     */
    @Test
    void inputErrorRecordsAreKeptOnResumeInAUrlListAndInJsonLines() throws Exception {
        try (TestServer server = new TestServer()) {
            java.io.ByteArrayOutputStream urls = new java.io.ByteArrayOutputStream();
            urls.writeBytes(("# the list\n\nnot a url\n#" + "x".repeat(9_000) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            urls.writeBytes(new byte[] {'h', (byte) 0xff, '\n'});
            urls.writeBytes((server.url("/quick-held/6") + "\n" + server.url("/quick-held/7")
                    + "\n").getBytes(StandardCharsets.UTF_8));
            Path list = Files.write(dir.resolve("list.txt"), urls.toByteArray());
            assertResumesKeepingInputErrors(server, list, 3, 5);

            Path specs = TestServer.write(dir.resolve("specs.jsonl"), "# specs\n\n{\"url\"\n"
                    + spec(server, 4) + "\n" + spec(server, 5) + "\n");
            assertResumesKeepingInputErrors(server, specs, 3, 3);
        }
    }

    /**
     * From a review: ids given as numbers were written as strings. A resume keeps the records
     * of an earlier run with their numeric ids, matching each to its line by its seq (never by
     * its id, so 7 and "7" are never taken one for the other), and writes the items it fetches
     * with their ids as the lines give them, a number as that number.
     */
    @Test
    void aResumeKeepsNumericIdsAndWritesTheItemsItFetchesWithTheirIdsAsGiven() throws Exception {
        try (TestServer server = new TestServer()) {
            Path specs = TestServer.write(dir.resolve("specs.jsonl"), String.join("\n",
                    idSpec(server, "7", 1), idSpec(server, "\"7\"", 2),
                    idSpec(server, "12345678901234567890", 3), idSpec(server, "7", 4),
                    idSpec(server, "\"7\"", 5), "{\"id\":6,\"url\":\"http://h.test/a b\"}") + "\n");
            Path out = dir.resolve("out.jsonl");
            assertThat(Cli.run("fetch", specs.toString(), "-o", out.toString(), "-q",
                    "--ordered").exitCode()).isEqualTo(1);
            List<String> written = Files.readAllLines(out);
            Files.write(out, written.subList(0, 2));
            server.counter().reset();

            Cli.Result resumed = Cli.run("fetch", specs.toString(), "-o", out.toString(), "-q",
                    "--resume");

            assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(1);
            assertThat(server.counter().served()).isEqualTo(3);
            assertThat(Files.readAllLines(out).subList(0, 2)).isEqualTo(written.subList(0, 2));
            Map<Long, JsonNode> ids = Records.read(out).stream().collect(Collectors.toMap(
                    r -> r.get("seq").asLong(), r -> r.get("id")));
            assertThat(ids).containsExactlyInAnyOrderEntriesOf(Map.of(1L, Records.json("7"),
                    2L, Records.json("\"7\""), 3L, Records.json("12345678901234567890"),
                    4L, Records.json("7"), 5L, Records.json("\"7\""), 6L, Records.json("6")));
        }
    }

    /** A JSON Lines spec of id {@code id}, as JSON, of a GET of /quick-held/{@code n}. */
    private static String idSpec(TestServer server, String id, int n) {
        return "{\"id\":" + id + ",\"url\":\"" + server.url("/quick-held/" + n) + "\"}";
    }

    /**
     * Fetches {@code list} whole, where lines {@code firstError} to {@code lastError} are
     * input errors and the two lines after them items to send, drops the last record, and
     * resumes: the input errors' records are kept, and only the dropped item is sent.
     */
    private void assertResumesKeepingInputErrors(TestServer server, Path list, long firstError,
                                                 long lastError) throws Exception {
        Path out = dir.resolve("out.jsonl");
        assertThat(Cli.run("fetch", list.toString(), "-o", out.toString(), "-q", "--ordered",
                "--overwrite").exitCode()).isEqualTo(1);
        List<String> written = Files.readAllLines(out);
        Files.write(out, written.subList(0, written.size() - 1));
        server.counter().reset();

        Cli.Result resumed = Cli.run("fetch", list.toString(), "-o", out.toString(),
                "--resume");

        assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(1);
        assertThat(server.counter().served()).isEqualTo(1);
        List<JsonNode> records = Records.read(out);
        assertThat(records).extracting(r -> r.get("seq").asLong())
                .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream
                        .rangeClosed(firstError, lastError + 2).boxed().toList());
        assertThat(records).filteredOn(r -> r.get("seq").asLong() <= lastError)
                .allMatch(r -> r.get("error").get("kind").asText().equals("input"));
    }

    /** A JSON Lines spec of a GET of /quick-held/{@code n}, which the server counts. */
    private static String spec(TestServer server, int n) {
        return "{\"url\":\"" + server.url("/quick-held/" + n) + "\"}";
    }

    /** A refused resume's list, and what it said. */
    private record Refusal(Path list, String err) {
    }

    /**
     * A list of 12 fetched whole into a journal, which {@code edit} changes: a resume then is
     * refused, exit 2, with what to do, before anything is sent, the file left as it was.
     * Of /quick-held/ URLs, which the server counts as served (/ok/ ones it does not).
     */
    private Refusal refusedResumeAfter(java.util.function.UnaryOperator<List<String>> edit)
            throws Exception {
        return refusedResumeAfter(server -> server.urlList(dir, "/quick-held/", 12), edit);
    }

    /** As above, for the list {@code list} makes (of /quick-held/ URLs), read with options. */
    private Refusal refusedResumeAfter(java.util.function.Function<TestServer, Path> list,
                                       java.util.function.UnaryOperator<List<String>> edit,
                                       String... options) throws Exception {
        try (TestServer server = new TestServer()) {
            Path input = list.apply(server);
            Path out = dir.resolve("out.jsonl");
            List<String> fetch = new java.util.ArrayList<>(List.of("fetch", input.toString(),
                    "-o", out.toString()));
            fetch.addAll(List.of(options));
            assertThat(Cli.run(with(fetch, "-q", "--ordered")).exitCode()).isZero();
            Files.write(out, edit.apply(Files.readAllLines(out)));
            String before = Files.readString(out);
            server.counter().reset();

            Cli.Result resumed = Cli.run(with(fetch, "--resume"));

            assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(2);
            // No usage mistake: the pointer to --help a bad option gets would say nothing.
            assertThat(resumed.err()).startsWith("bulkfetch fetch: cannot resume")
                    .contains("then resume").doesNotContain("Exception").doesNotContain("--help");
            assertThat(server.counter().served()).isZero();
            assertThat(Files.readString(out)).isEqualTo(before);
            return new Refusal(input, resumed.err());
        }
    }

    /** The arguments {@code args}, then {@code more}. */
    private static String[] with(List<String> args, String... more) {
        return java.util.stream.Stream.concat(args.stream(), java.util.stream.Stream.of(more))
                .toArray(String[]::new);
    }

    @Test
    void resumeWithoutAnOutputFileIsAUsageError() {
        Cli.Result result = Cli.run("fetch", "urls/demo.txt", "--resume");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--resume needs -o FILE");
    }
}
