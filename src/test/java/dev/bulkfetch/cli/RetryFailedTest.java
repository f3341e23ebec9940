package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After an exploratory test: a backfill whose server had an outage ended with records of
 * failed items, and --resume kept them as done; fetching them again meant a list of their own
 * and records under other seqs. --resume --retry-failed fetches exactly those items again.
 */
class RetryFailedTest {

    @TempDir
    Path dir;

    @Test
    void aResumeFetchesAgainOnlyTheFailedItemsAndEndsWithOneRecordEach() throws Exception {
        AtomicBoolean outage = new AtomicBoolean(true);
        Queue<String> paths = new ConcurrentLinkedQueue<>();
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            paths.add(path);
            // Items 2 and 4 are what the outage hit.
            boolean down = outage.get() && (path.equals("/2") || path.equals("/4"));
            exchange.sendResponseHeaders(down ? 503 : 200, -1);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Path list = TestServer.write(dir.resolve("list.txt"), base + "/1\n" + base + "/2\n"
                    + base + "/3\n" + base + "/4\n");
            Path out = dir.resolve("out.jsonl");
            Path summary = dir.resolve("summary.json");
            Cli.Result first = Cli.run("fetch", list.toString(), "-o", out.toString(), "-q",
                    "--retries", "0");
            assertThat(first.exitCode()).as(first.err()).isEqualTo(1);
            List<String> okBefore = Files.readAllLines(out).stream()
                    .filter(line -> line.contains("\"ok\":true")).toList();
            outage.set(false);
            paths.clear();

            Cli.Result again = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume", "--retry-failed", "--summary-json", summary.toString());

            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(again.err()).startsWith("resuming: 2 records kept, 2 failed items to"
                    + " fetch again (--retry-failed)\n");
            assertThat(paths).containsExactlyInAnyOrder("/2", "/4");
            List<JsonNode> records = Records.read(out);
            assertThat(records).extracting(r -> r.get("seq").asLong())
                    .containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
            assertThat(records).allMatch(r -> r.get("ok").asBoolean());
            assertThat(Files.readAllLines(out).subList(0, 2)).as("kept as they were")
                    .isEqualTo(okBefore);
            JsonNode totals = Records.json(Files.readString(summary));
            assertThat(totals.get("kept").asLong()).isEqualTo(2);
            assertThat(totals.get("kept_failed").asLong()).isZero();
            assertThat(totals.get("all_ok").asBoolean()).isTrue();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aFailedItemsSavedBodyGoesWhenItsFetchAgainBringsNone() throws Exception {
        Path bodies = dir.resolve("bodies");
        Path list = runWhoseSecondItemFailsWithABody(bodies);

        // The server is gone: item 2's second answer is a refused connection, with no body.
        Cli.Result again = Cli.run("fetch", list.toString(), "-o", out().toString(), "-q",
                "--retries", "0", "--save-bodies", bodies.toString(), "--resume",
                "--retry-failed");

        assertThat(again.exitCode()).as(again.err()).isEqualTo(1);
        assertThat(again.err()).as("no warning of the folder").doesNotContain("--save-bodies");
        List<JsonNode> records = Records.read(out());
        assertThat(records).extracting(r -> r.get("seq").asLong())
                .containsExactlyInAnyOrder(1L, 2L);
        JsonNode second = records.stream().filter(r -> r.get("seq").asLong() == 2)
                .findFirst().orElseThrow();
        assertThat(second.get("error").get("kind").asText()).isEqualTo("connect");
        assertThat(second.has("body_file")).isFalse();
        assertThat(bodies.resolve("2.body")).as("named by no record").doesNotExist();
        assertThat(bodies.resolve("1.body")).as("its kept record's").hasContent("an item");
    }

    /**
     * A resume told to save into another folder than the run did: a SEQ.body there is not the
     * run's, and stays (one of another run's was deleted, as the run's own would be, when its
     * item's new fetch brought no body); and the run's bodies going into two folders is said.
     */
    @Test
    void aResumeSavingIntoAnotherFolderLeavesItsBodiesAndSaysWhereTheRunsAre() throws Exception {
        Path bodies = dir.resolve("bodies");
        Path list = runWhoseSecondItemFailsWithABody(bodies);
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("2.body"), "another run's");

        Cli.Result again = Cli.run("fetch", list.toString(), "-o", out().toString(), "-q",
                "--retries", "0", "--save-bodies", other.toString(), "--resume",
                "--retry-failed");

        assertThat(again.exitCode()).as(again.err()).isEqualTo(1);
        assertThat(other.resolve("2.body")).hasContent("another run's");
        assertThat(bodies.resolve("2.body")).as("left where the run saved it")
                .hasContent("an error page");
        assertThat(again.err()).startsWith("bulkfetch fetch: warning: --save-bodies " + other
                + " is not where the run being resumed saved its bodies (" + bodies + "): its"
                + " kept records name bodies there, and this run's will name them in " + other
                + "; resume with --save-bodies " + bodies + " to keep them in one folder\n"
                + "bulkfetch fetch: warning: --save-bodies " + other + " holds bodies of an"
                + " earlier run (2.body among them): this run replaces those of the items it"
                + " saves and leaves the others, so go by its records' body_file, or give it an"
                + " empty folder\n");
    }

    /** A resume whose command line lost --save-bodies is told its bodies go unsaved. */
    @Test
    void aResumeThatSavesNoBodiesWhereTheRunDidIsWarned() throws Exception {
        Path bodies = dir.resolve("bodies");
        Path list = runWhoseSecondItemFailsWithABody(bodies);

        Cli.Result again = Cli.run("fetch", list.toString(), "-o", out().toString(), "-q",
                "--retries", "0", "--resume", "--retry-failed");

        assertThat(again.err()).startsWith("bulkfetch fetch: warning: the run being resumed"
                + " saved its bodies (" + bodies + "), and this run saves none; resume with"
                + " --save-bodies " + bodies + " to go on saving them\n");
        assertThat(bodies.resolve("2.body")).as("no folder given, none cleared")
                .hasContent("an error page");
    }

    /**
     * Runs a list of two items into {@link #out()} with their bodies saved to {@code bodies}:
     * the first is ok, the second a 500 with a page. The server is gone once it returns.
     */
    private Path runWhoseSecondItemFailsWithABody(Path bodies) throws Exception {
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            boolean fails = exchange.getRequestURI().getPath().equals("/2");
            byte[] body = (fails ? "an error page" : "an item").getBytes();
            exchange.sendResponseHeaders(fails ? 500 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        Path list = TestServer.write(dir.resolve("list.txt"), base + "/1\n" + base + "/2\n");
        Cli.Result first;
        try {
            first = Cli.run("fetch", list.toString(), "-o", out().toString(), "-q",
                    "--retries", "0", "--save-bodies", bodies.toString());
        } finally {
            server.stop(0);
        }
        assertThat(first.exitCode()).as(first.err()).isEqualTo(1);
        assertThat(bodies.resolve("2.body")).hasContent("an error page");
        return list;
    }

    private Path out() {
        return dir.resolve("out.jsonl");
    }

    @Test
    void withoutResumeItIsAUsageError() throws Exception {
        Path list = TestServer.write(dir.resolve("list.txt"), "http://127.0.0.1:1/a\n");

        Cli.Result withFile = Cli.run("fetch", list.toString(), "-o",
                dir.resolve("out.jsonl").toString(), "--retry-failed");
        Cli.Result toStdout = Cli.run("fetch", list.toString(), "--retry-failed");

        for (Cli.Result result : List.of(withFile, toStdout)) {
            assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(result.err()).startsWith("--retry-failed needs --resume: it fetches"
                    + " again the failed items of the records --resume keeps\n");
            assertThat(result.out()).isEmpty();
        }
        assertThat(dir.resolve("out.jsonl")).doesNotExist();
    }
}
