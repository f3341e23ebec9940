package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A list appended to while a run reads it (a producer still writing it, hours into a
 * backfill): the run read the new lines too, while the output's identity, taken as it began,
 * was of the lines before them; after a crash every --resume was refused, the grown list as
 * "another input" and the list cut back as holding records past its last line, and only
 * --overwrite, fetching everything again, got out. The run now reads as far as its identity.
 *
 * <p>The list grows when the server gets the run's first request, before it answers it: a
 * list of more than 64 KiB, which its reader takes in 64 KiB at a time, has its end read only
 * after many items are answered, so after the list grew.
 */
class GrowingInputTest {

    private static final String PAD = "?pad=" + "p".repeat(240);

    @TempDir
    Path dir;

    private HttpServer server;
    private final Queue<String> served = new ConcurrentLinkedQueue<>();
    // What the first request appends to the list, and whether it has.
    private volatile Path growing;
    private volatile String growth;
    private final AtomicBoolean grown = new AtomicBoolean();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            if (growing != null && grown.compareAndSet(false, true)) {
                Files.writeString(growing, growth, StandardOpenOption.APPEND);
            }
            served.add(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes(StandardCharsets.US_ASCII));
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void linesAppendedDuringARunAreNotFetchedAndItsRecordsStillResume() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), lines(1, 300));
        byte[] asGiven = Files.readAllBytes(list);
        growWhenFirstAsked(list, lines(301, 400));
        Path out = dir.resolve("out.jsonl");
        Path summary = dir.resolve("summary.json");

        Cli.Result run = Cli.run("fetch", list.toString(), "-o", out.toString(), "-c", "4",
                "-q", "--summary-json", summary.toString());

        assertThat(grown).isTrue();
        assertThat(seqs(out)).containsExactlyInAnyOrderElementsOf(range(1, 300));
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(served).hasSize(300)
                .allMatch(path -> Long.parseLong(path.substring("/n/".length())) <= 300);
        assertThat(run.err()).contains("list.txt grew past the " + asGiven.length + " bytes")
                .contains("lines 301 to 400 (").contains("were not fetched")
                .contains("tail -n +301 " + list);
        JsonNode json = Records.parse(Files.readString(summary).replace("\n", " ") + "\n")
                .getFirst();
        assertThat(json.get("unread_lines").asLong()).isEqualTo(100);
        assertThat(json.get("all_ok").asBoolean()).isFalse();

        // Killed before its last 40 records: the grown list resumes, as far as it was read.
        Files.write(out, Files.readAllLines(out).subList(0, 260));
        served.clear();
        Cli.Result resumed = Cli.run("fetch", list.toString(), "-o", out.toString(),
                "--resume", "-q");

        assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(1);
        assertThat(resumed.err()).contains("lines 301 to 400").doesNotContain("cannot resume");
        assertThat(served).hasSize(40);
        assertThat(seqs(out)).containsExactlyInAnyOrderElementsOf(range(1, 300));

        // Cut back to the lines it was made from, it resumes with nothing left to do.
        Files.write(list, asGiven);
        served.clear();
        Cli.Result cutBack = Cli.run("fetch", list.toString(), "-o", out.toString(),
                "--resume", "-q");

        assertThat(cutBack.exitCode()).as(cutBack.err()).isZero();
        assertThat(cutBack.err()).isEmpty();
        assertThat(served).isEmpty();
    }

    /**
     * The command the warning gives for the lines not fetched named the list as it was
     * written: a name with a space or a quote in it broke the command. It is quoted as a
     * shell word, and the command, run, takes those lines.
     */
    @Test
    void theCommandForTheLinesNotFetchedQuotesTheListsNameAndTakesThem() throws Exception {
        Path list = Files.writeString(dir.resolve("Ann's list.txt"), lines(1, 300));
        growWhenFirstAsked(list, lines(301, 310));

        Cli.Result run = Cli.run("fetch", list.toString(), "-o", dir.resolve("out.jsonl")
                .toString(), "-c", "4", "-q");

        assertThat(grown).isTrue();
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        String command = suggestedTail(run);
        assertThat(command).isEqualTo("tail -n +301 '" + dir + "/Ann'\\''s list.txt'"
                + " > '" + dir + "/Ann'\\''s list-rest.txt'");
        runInDir(command);
        assertThat(Files.readString(dir.resolve("Ann's list-rest.txt")))
                .isEqualTo(lines(301, 310));
    }

    /**
     * The command wrote the lines to rest.txt, which a shell empties before tail reads the
     * list: a list named rest.txt was lost. They go beside the list, named after it, and not
     * over a file an earlier command left there.
     */
    @Test
    void theCommandForTheLinesNotFetchedLeavesAListNamedRestAndAnEarlierRest() throws Exception {
        Path list = Files.writeString(dir.resolve("rest.txt"), lines(1, 300));
        Path earlier = Files.writeString(dir.resolve("rest-rest.txt"), "an earlier rest\n");
        growWhenFirstAsked(list, lines(301, 310));

        Cli.Result run = Cli.run("fetch", list.toString(), "-o", dir.resolve("out.jsonl")
                .toString(), "-c", "4", "-q");

        assertThat(grown).isTrue();
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        runInDir(suggestedTail(run));
        assertThat(Files.readString(list)).isEqualTo(lines(1, 310));
        assertThat(Files.readString(earlier)).isEqualTo("an earlier rest\n");
        assertThat(Files.readString(dir.resolve("rest-rest-2.txt"))).isEqualTo(lines(301, 310));
    }

    /** The tail command the warning of a grown list suggests. */
    private static String suggestedTail(Cli.Result run) {
        return run.err().lines().filter(line -> line.contains(" grew past "))
                .map(line -> line.substring(line.indexOf("fetches them: ") + 14)).findFirst()
                .orElseThrow();
    }

    /** Runs {@code command} with bash in the test's folder, as a user pasting it would. */
    private void runInDir(String command) throws Exception {
        Process bash = new ProcessBuilder("bash", "-c", command).directory(dir.toFile())
                .redirectErrorStream(true).start();
        assertThat(bash.waitFor()).as(new String(bash.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8)).isZero();
    }

    /**
     * A writer mid-line as the run took the list's identity: its last line, as far as it had
     * been written, named another URL ({@code /last/3} of {@code /last/300}). It is that
     * line's input error, never sent, on the run and on a resume, and the warning names it
     * among the lines not fetched.
     */
    @Test
    void aLastLineCutByAWriterIsAnInputErrorAndNeverSent() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), lines(1, 299)
                + url(3).replace("/n/", "/last/"));
        growWhenFirstAsked(list, "00" + PAD + "\n" + lines(301, 301));
        Path out = dir.resolve("out.jsonl");

        Cli.Result run = Cli.run("fetch", list.toString(), "-o", out.toString(), "-c", "4",
                "-q");

        assertThat(seqs(out)).containsExactlyInAnyOrderElementsOf(range(1, 300));
        assertCutLineRefused(out);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("lines 300 to 301 (")
                .contains("from the middle of line 300");

        Files.write(out, Files.readAllLines(out).stream()
                .filter(record -> !record.contains("\"seq\":300,")).toList());
        served.clear();
        Cli.Result resumed = Cli.run("fetch", list.toString(), "-o", out.toString(),
                "--resume", "-q");

        assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(1);
        assertThat(served).isEmpty();
        assertCutLineRefused(out);
    }

    private void assertCutLineRefused(Path out) {
        JsonNode cut = Records.read(out).stream().filter(r -> r.get("seq").asLong() == 300)
                .findFirst().orElseThrow();
        assertThat(cut.get("error").get("kind").asText()).isEqualTo("input");
        assertThat(cut.get("error").get("message").asText()).contains("line is cut");
        assertThat(served).noneMatch(path -> path.startsWith("/last/"));
    }

    /** The server's first request appends {@code text} to {@code list}, before it answers. */
    private void growWhenFirstAsked(Path list, String text) {
        growth = text;
        growing = list;
    }

    private String url(long n) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/n/" + n;
    }

    /** Lines {@code from} to {@code to} of a list: long ones, so 300 are past 64 KiB. */
    private String lines(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(n -> url(n) + PAD + "\n")
                .collect(Collectors.joining());
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static List<Long> seqs(Path out) {
        return Records.read(out).stream().map(r -> r.get("seq").asLong()).toList();
    }
}
