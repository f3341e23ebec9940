package dev.bulkfetch.output;

import static dev.bulkfetch.output.WrittenLines.awaitLines;
import static dev.bulkfetch.output.WrittenLines.lines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new run refuses an output file that another run did not finish, or is still
 * writing, unless told to overwrite it; the file of a finished run, or of an earlier
 * version, is started afresh.
 */
class OutputFileGuardTest {

    @TempDir
    Path dir;

    /**
     * Runs {@code bulkfetch ARGS} in a child and kills it (-9) once {@code out} has grown by
     * {@code lines} lines, or the child has ended.
     */
    private void killedAfter(Path out, long lines, String... args) throws Exception {
        long from = lines(out);
        Process child = Child.start(dir.resolve("err.txt"), List.of(), args);
        awaitLines(out, from + lines, child);
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * The same command again without --resume after a crash emptied the output file of the
     * records it had (3,000 of them in the probe), unsaid. The file of a run that did not
     * finish is now refused by a new run unless it is told to overwrite it; a finished run's
     * file is started afresh as before (a benchmark's runs into one file).
     */
    @Test
    void aNewRunOnTheFileOfARunThatDidNotFinishIsRefusedUnlessToldToOverwrite()
            throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/quick-held/", 2_000);
            Path out = dir.resolve("out.jsonl");
            killedAfter(out, 50, "fetch", list.toString(), "-o", out.toString(), "-c", "8", "-q");
            byte[] unfinished = Files.readAllBytes(out);
            assertThat(lines(out)).isBetween(50L, 1_999L);

            Cli.Result again = Cli.run("fetch", list.toString(), "-o", out.toString(), "-q");

            assertThat(again.exitCode()).isEqualTo(2);
            assertThat(again.err()).contains("did not finish").contains("--resume")
                    .contains("--overwrite").doesNotContain("--help");
            assertThat(Files.readAllBytes(out)).as("left as it was").isEqualTo(unfinished);

            // A resume killed in turn leaves it unfinished as well.
            killedAfter(out, 50, "fetch", list.toString(), "-o", out.toString(), "-c", "8", "-q",
                    "--resume");
            assertThat(Cli.run("fetch", list.toString(), "-o", out.toString(), "-q")
                    .exitCode()).isEqualTo(2);

            Cli.Result overwritten = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "-q", "--overwrite");
            assertThat(overwritten.exitCode()).as(overwritten.err()).isZero();
            assertThat(lines(out)).isEqualTo(2_000);

            // A resume that fails before it starts (its mock's port taken) leaves it finished.
            Path identity = out.resolveSibling("out.jsonl.input");
            String finished = Files.readString(identity);
            try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                    java.net.InetAddress.getLoopbackAddress())) {
                Cli.Result failed = Cli.run("fetch", list.toString(), "-o", out.toString(),
                        "-q", "--resume", "--mock", "--mock-port",
                        Integer.toString(taken.getLocalPort()));
                assertThat(failed.exitCode()).isEqualTo(2);
            }
            assertThat(Files.readString(identity)).isEqualTo(finished);

            // Finished: the next run starts afresh, as any run did.
            Files.writeString(list, server.url("/quick-held/1") + "\n");
            Cli.Result afresh = Cli.run("fetch", list.toString(), "-o", out.toString(), "-q");
            assertThat(afresh.exitCode()).as(afresh.err()).isZero();
            assertThat(lines(out)).isEqualTo(1);
        }
    }

    /**
     * After a probe: through a link to it (-o latest.jsonl), the file of a run that did not
     * finish had no identity file or mark beside the name given, and a plain run emptied it.
     */
    @Test
    void aRunThroughALinkFindsTheMarkBesideTheFileItNames() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/quick-held/", 300);
            Path out = Files.createDirectories(dir.resolve("runs")).resolve("run-a.jsonl");
            // Made before the file it names, as a "latest" link is; the first run goes through
            // it too, and must keep its mark beside the file, not beside the link.
            Path link = Files.createSymbolicLink(dir.resolve("latest.jsonl"),
                    Path.of("runs", "run-a.jsonl"));
            killedAfter(out, 20, "fetch", list.toString(), "-o", link.toString(), "-c", "8",
                    "-q");
            long before = lines(out);
            assertThat(Path.of(out + ".input")).as("the mark beside the file").exists();
            assertThat(dir.resolve("latest.jsonl.input")).doesNotExist();

            Cli.Result plain = Cli.run("fetch", list.toString(), "-o", link.toString(), "-q");
            assertThat(plain.exitCode()).isEqualTo(2);
            assertThat(plain.err()).contains("did not finish");
            assertThat(lines(out)).isEqualTo(before);

            // A plain run on the file itself is refused as well: one mark, beside it.
            assertThat(Cli.run("fetch", list.toString(), "-o", out.toString(), "-q")
                    .exitCode()).isEqualTo(2);
            assertThat(dir.resolve("latest.jsonl.input")).doesNotExist();
            // Nor may the summary land on the identity file through the link.
            Cli.Result clash = Cli.run("fetch", list.toString(), "-o", link.toString(), "-q",
                    "--resume", "--summary-json", out + ".input");
            assertThat(clash.exitCode()).isEqualTo(2);
            assertThat(clash.err()).contains("identity file");

            Cli.Result resumed = Cli.run("fetch", list.toString(), "-o", link.toString(), "-q",
                    "--resume");
            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            assertThat(Records.read(out)).extracting(r -> r.get("seq").asLong())
                    .doesNotHaveDuplicates().hasSize(300);
            try (var left = Files.list(out.getParent())) {
                assertThat(left.map(f -> f.getFileName().toString()))
                        .as("no identity file's part left").noneMatch(n -> n.endsWith(".part"));
            }
        }
    }

    /**
     * After review: an output file of a version before the check has no mark beside it, and
     * was refused on the first run after an upgrade, as if it were unfinished. Only the
     * running mark refuses.
     */
    @Test
    void anOutputFileOfAnEarlierVersionIsStartedAfresh() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 3);
            Path out = dir.resolve("out.jsonl");
            Cli.Result first = Cli.run("fetch", list.toString(), "-o", out.toString(), "-q");
            assertThat(first.exitCode()).as(first.err()).isZero();
            Path identity = out.resolveSibling("out.jsonl.input");
            // As an earlier version left it: the identity alone, on one line.
            Files.writeString(identity, Files.readAllLines(identity).getFirst() + "\n");

            Cli.Result again = Cli.run("fetch", list.toString(), "-o", out.toString(), "-q");

            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(lines(out)).isEqualTo(3);
        }
    }

    /**
     * Two runs on one output file (a cron job that overlapped, a supervisor restarting a run
     * still alive) each fetched every item, at twice the rate together, and wrote both records:
     * 320 lines for 200 items. The second is refused before it touches the file or sends.
     */
    @Test
    void aSecondRunOnAnOutputFileInUseIsRefusedBeforeItTouchesIt() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/quick-held/", 20);
            Path out = dir.resolve("out.jsonl");
            Process first = Child.start(dir.resolve("err.txt"), List.of(), "fetch",
                    list.toString(), "-o", out.toString(), "-c", "1", "--rate", "1/min", "-q");
            try {
                awaitLines(out, 1, first);
                assertThat(first.isAlive()).isTrue();
                long served = server.counter().served();
                byte[] written = Files.readAllBytes(out);

                for (String resume : List.of("--resume", "--no-color")) {
                    Cli.Result second = Cli.run("fetch", list.toString(), "-o", out.toString(),
                            resume.equals("--resume") ? "--resume" : "-q");
                    assertThat(second.exitCode()).as(second.err()).isEqualTo(2);
                    assertThat(second.err()).contains("output file " + out
                            + " is being written by another run").doesNotContain("--help");
                }

                assertThat(server.counter().served()).isEqualTo(served);
                assertThat(Files.readAllBytes(out)).isEqualTo(written);
            } finally {
                first.destroyForcibly().waitFor();
            }
            // The lock went with the killed run: a resume goes on, and finishes the list.
            Cli.Result resumed = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume", "-q");
            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            assertThat(Records.read(out)).hasSize(20);
        }
    }

    /**
     * A UTF-16 list on stdin was refused only at the run's first read, after --overwrite (or a
     * finished run's file, which needs none) had emptied the output file: its records were
     * lost for a run that never started. Stdin's first bytes are now looked at before the
     * file is touched, as a file's are, and then read again: a list on stdin is fetched whole.
     */
    @Test
    void aUtf16StdinIsRefusedBeforeOverwriteEmptiesTheOutputFile() throws Exception {
        try (TestServer server = new TestServer()) {
            Path out = dir.resolve("out.jsonl");
            String list = server.url("/quick-held/1") + "\n" + server.url("/quick-held/2")
                    + "\n";
            Cli.Result earlier = Cli.runWithInput(list, "fetch", "-", "-o", out.toString(), "-q");
            assertThat(earlier.exitCode()).as(earlier.err()).isZero();
            String records = Files.readString(out);
            assertThat(Records.read(out)).hasSize(2);

            // A refused run takes no earlier run's summary either (review).
            Path summary = Files.writeString(dir.resolve("summary.json"), "{\"all_ok\": true}");
            Cli.Result refused = Cli.runWithInput(("\uFEFF" + list).getBytes(
                    java.nio.charset.StandardCharsets.UTF_16LE), "fetch", "-", "-o",
                    out.toString(), "--overwrite", "--summary-json", summary.toString());

            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(2);
            assertThat(summary).hasContent("{\"all_ok\": true}");
            assertThat(refused.err().strip()).isEqualTo("bulkfetch fetch: stdin is UTF-16"
                    + " (little-endian: it begins with the byte order mark FF FE), where"
                    + " bulkfetch reads UTF-8: convert it on its way in, through iconv -f"
                    + " UTF-16 -t UTF-8");
            assertThat(Files.readString(out)).as("left as it was").isEqualTo(records);
            assertThat(server.counter().served()).isEqualTo(2);

            // Inputs shorter than a mark, looked at whole, are read whole all the same.
            Cli.Result empty = Cli.runWithInput("", "fetch", "-", "-o", out.toString(), "-q");
            assertThat(empty.exitCode()).as(empty.err()).isZero();
            assertThat(Files.readString(out)).isEmpty();
            Cli.Result shorter = Cli.runWithInput("a\n", "fetch", "-", "-o", out.toString());
            assertThat(shorter.err()).contains("1 item: 0 ok, 1 failed");
            assertThat(Records.read(out)).singleElement().satisfies(record ->
                    assertThat(record.get("url").asText()).isEqualTo("a"));
        }
    }

    /**
     * From an exploratory test: a gzip-compressed JSON Lines file was read as a URL list, a
     * record of binary noise for each of its "lines". A compressed input is refused as a
     * whole, as a UTF-16 one is, file or stdin, before --overwrite empties the output file,
     * naming the file and how to read it decompressed.
     */
    @Test
    void aCompressedInputIsRefusedBeforeOverwriteEmptiesTheOutputFile() throws Exception {
        java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(gzipped)) {
            gzip.write("{\"url\": \"http://127.0.0.1:1/a\"}\n".getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        Path specs = Files.write(dir.resolve("my specs.jsonl.gz"), gzipped.toByteArray());
        Path out = Files.writeString(dir.resolve("out.jsonl"), "earlier records\n");

        Cli.Result file = Cli.run("fetch", specs.toString(), "-o", out.toString(), "--overwrite");
        Cli.Result stdin = Cli.runWithInput(gzipped.toByteArray(), "fetch", "-", "-o",
                out.toString(), "--overwrite");

        assertThat(file.exitCode()).as(file.err()).isEqualTo(2);
        assertThat(file.err().strip()).isEqualTo("bulkfetch fetch: input " + specs + " is"
                + " gzip-compressed (it begins with 1F 8B), where bulkfetch reads text:"
                + " decompress it first, with zcat '" + specs + "' > '" + dir.resolve(
                        "my specs.jsonl") + "'");
        assertThat(stdin.exitCode()).as(stdin.err()).isEqualTo(2);
        assertThat(stdin.err().strip()).isEqualTo("bulkfetch fetch: stdin is gzip-compressed"
                + " (it begins with 1F 8B), where bulkfetch reads text: decompress it on its way"
                + " in, through zcat");
        assertThat(Files.readString(out)).as("left as it was").isEqualTo("earlier records\n");
        // zstd, xz and bzip2 alike, by their first bytes.
        for (String format : List.of("zstd:28B52FFD00", "xz:FD377A585A00", "bzip2:425A683931")) {
            byte[] head = java.util.HexFormat.of().parseHex(format.split(":")[1]);
            Cli.Result other = Cli.runWithInput(head, "fetch", "-");
            assertThat(other.exitCode()).as(other.err()).isEqualTo(2);
            assertThat(other.err()).contains("stdin is " + format.split(":")[0] + "-compressed");
        }
    }

    @Test
    void overwriteWithoutAnOutputFileOrWithResumeIsAUsageError() {
        Cli.Result alone = Cli.run("fetch", "urls/demo.txt", "--overwrite");
        assertThat(alone.exitCode()).isEqualTo(2);
        assertThat(alone.err()).contains("--overwrite needs -o FILE");

        Cli.Result both = Cli.run("fetch", "urls/demo.txt", "-o",
                dir.resolve("out.jsonl").toString(), "--resume", "--overwrite");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--resume and --overwrite cannot go together");
    }
}
