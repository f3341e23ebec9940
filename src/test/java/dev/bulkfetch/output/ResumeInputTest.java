package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --resume goes on only over the input the output file was written from: the whole
 * of its content decides, not its path, and an identity an earlier version recorded
 * still serves.
 */
class ResumeInputTest {

    @TempDir
    Path dir;

    @Test
    void resumingAgainstAnotherInputIsRefusedBeforeAnythingIsSent() throws Exception {
        try (TestServer server = new TestServer()) {
            Path first = server.urlList(dir, "/ok/", 5);
            Path out = dir.resolve("out.jsonl");
            assertThat(Cli.run("fetch", first.toString(), "-o", out.toString(), "-q")
                    .exitCode()).isZero();
            Path other = server.urlList(dir, "/held/", 5);
            server.counter().reset();

            Cli.Result result = Cli.run("fetch", other.toString(), "-o", out.toString(),
                    "--resume");

            assertThat(result.exitCode()).isEqualTo(2);
            assertThat(result.err()).contains("cannot resume").contains("another input")
                    .contains(first.toAbsolutePath() + ", which it was made from,")
                    .doesNotContain("Exception").doesNotContain("--help");
            assertThat(server.counter().served()).isZero();
            assertThat(Records.read(out)).hasSize(5);
        }
    }

    /**
     * A list changed since its records were made was refused with both identities whole, its
     * path twice, and the reader left to spot which number differed. The refusal says what
     * changed: its size (in bytes and lines), its lines alone, or, of the same size and lines,
     * its content.
     */
    @Test
    void aChangedListIsRefusedSayingWhatChanged() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/quick-held/", 5);
            String text = Files.readString(list);
            long size = text.length();
            Path out = cutShortRunOf(list);
            String lastLine = server.url("/quick-held/5") + "\n";
            server.counter().reset();

            String shorter = refusal(list, text.replace(lastLine, ""));
            String moreLines = refusal(list, text.replace("/quick-held/5", "/quick-hel\n/5"));
            String swapped = refusal(list, text.replace("/quick-held/4", "/quick-held/X")
                    .replace("/quick-held/5", "/quick-held/4").replace("/quick-held/X",
                            "/quick-held/5"));

            assertThat(shorter).contains("its input has changed since it was made: " + list
                    + " holds " + (size - lastLine.length()) + " bytes in 4 lines, where it held "
                    + size + " bytes in 5 lines");
            assertThat(moreLines).contains(list + " holds " + size + " bytes in 6 lines, where"
                    + " it held " + size + " bytes in 5 lines");
            assertThat(swapped).contains(list + " holds as many bytes and lines as it did ("
                    + size + " bytes in 5 lines), but not the same ones: their checksum is");
            for (String refused : List.of(shorter, moreLines, swapped)) {
                assertThat(refused.split(java.util.regex.Pattern.quote(list.toString()), -1))
                        .as(refused).hasSize(2);
            }
            assertThat(server.counter().served()).isZero();
        }
    }

    /**
     * out.jsonl of a whole run of {@code input}, cut back to its first two records: as a run
     * that was stopped there leaves it, for a resume to go on from.
     */
    private Path cutShortRunOf(Path input) throws Exception {
        Path out = dir.resolve("out.jsonl");
        assertThat(Cli.run("fetch", input.toString(), "-o", out.toString(), "-q").exitCode())
                .isZero();
        Files.write(out, Files.readAllLines(out).subList(0, 2));
        return out;
    }

    /** What a resume over {@code list}, changed to {@code text}, is refused with. */
    private String refusal(Path list, String text) throws Exception {
        Files.writeString(list, text);
        Cli.Result result = Cli.run("fetch", list.toString(), "-o",
                dir.resolve("out.jsonl").toString(), "--resume", "-q");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        return result.err();
    }

    /**
     * The input's path was part of its identity: a list moved, or copied with its output to
     * another machine to go on there, was refused as "another input". Its content decides.
     */
    @Test
    void theSameListMovedElsewhereStillResumes() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/quick-held/", 5);
            Path out = cutShortRunOf(list);
            Path moved = Files.move(list, Files.createDirectories(dir.resolve("elsewhere"))
                    .resolve("renamed.txt"));
            server.counter().reset();

            Cli.Result resumed = Cli.run("fetch", moved.toString(), "-o", out.toString(),
                    "--resume", "-q");

            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            assertThat(server.counter().served()).isEqualTo(3);
            assertThat(Records.read(out)).extracting(r -> r.get("seq").asLong())
                    .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
        }
    }

    /**
     * From an exploratory test: a list whose name held a line break (or a carriage return)
     * wrote an identity cut at it, which no run could read: the run could never be resumed,
     * and a changed list was refused with that broken line rather than what changed.
     */
    @Test
    void aListWhoseNameHoldsALineBreakResumes() throws Exception {
        try (TestServer server = new TestServer()) {
            for (String name : List.of("nl\nname.txt", "cr\rname.txt")) {
                Path list = Files.move(server.urlList(dir, "/quick-held/", 5),
                        dir.resolve(name));
                Path out = cutShortRunOf(list);
                server.counter().reset();

                Cli.Result resumed = Cli.run("fetch", list.toString(), "-o", out.toString(),
                        "--resume", "-q");

                assertThat(resumed.exitCode()).as(resumed.err()).isZero();
                assertThat(server.counter().served()).isEqualTo(3);
                assertThat(Records.read(out)).hasSize(5);
                assertThat(refusal(list, "http://127.0.0.1:9/another\n"))
                        .contains("holds 27 bytes in 1 lines, where it held");
                Files.delete(out);
            }
        }
    }

    /**
     * A list re-exported with the same lines in another order, past its first 64 KiB: of the
     * same size, and the same first 64 KiB, it resumed, and the records of the lines that moved
     * stood for URLs that were never fetched. The whole input is checked now; a journal of an
     * earlier version, whose identity covered the first 64 KiB, still resumes.
     */
    @Test
    void aListReorderedPastItsFirst64KiBIsAnotherInput() throws Exception {
        try (TestServer server = new TestServer()) {
            // About 100 KiB of URLs: lines past 64 KiB swap places.
            List<String> lines = new java.util.ArrayList<>();
            for (int i = 1; i <= 2000; i++) {
                lines.add(server.url("/quick-held/" + i + "?pad=" + "p".repeat(20)));
            }
            Path list = dir.resolve("export.txt");
            Files.write(list, lines);
            assertThat(Files.size(list)).isGreaterThan(90 * 1024);
            Path out = dir.resolve("out.jsonl");
            assertThat(Cli.run("fetch", list.toString(), "-o", out.toString(), "-q")
                    .exitCode()).isZero();
            Files.write(out, Files.readAllLines(out).subList(0, 1900));
            String identity = Files.readString(dir.resolve("out.jsonl.input"));
            java.util.Collections.swap(lines, 1950, 1990);
            Files.write(list, lines);
            server.counter().reset();

            Cli.Result reordered = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume", "-q");

            assertThat(reordered.exitCode()).isEqualTo(2);
            assertThat(reordered.err()).contains("its input has changed")
                    .contains("as many bytes and lines as it did").contains("not the same ones");
            assertThat(server.counter().served()).isZero();
            // As an earlier version recorded it: the first 64 KiB, unchanged by the swap.
            java.util.zip.CRC32C head = new java.util.zip.CRC32C();
            head.update(Files.readAllBytes(list), 0, 64 * 1024);
            Files.writeString(dir.resolve("out.jsonl.input"), identity.replaceFirst(
                    "crc32c=\\p{XDigit}+", "crc32c-64k="
                            + java.util.HexFormat.of().toHexDigits((int) head.getValue())));
            Cli.Result older = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume", "-q");
            assertThat(older.exitCode()).as(older.err()).isZero();
            assertThat(server.counter().served()).isEqualTo(100);
        }
    }

    @Test
    void aJournalWhoseInputWasRecordedWithSha256StillResumesButOnlyForTheSameInput()
            throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/quick-held/", 5);
            Path out = dir.resolve("out.jsonl");
            assertThat(Cli.run("fetch", list.toString(), "-o", out.toString(), "-q")
                    .exitCode()).isZero();
            List<String> records = Files.readAllLines(out);
            Files.write(out, records.subList(0, 2));
            byte[] sha = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(list));
            String legacy = "path=" + list.toAbsolutePath().normalize() + " size="
                    + Files.size(list) + " sha256-64k=";
            Path identity = dir.resolve("out.jsonl.input");
            server.counter().reset();

            Files.writeString(identity, legacy + "0".repeat(32) + "\n");
            Cli.Result other = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume", "-q");
            Files.writeString(identity, legacy
                    + java.util.HexFormat.of().formatHex(sha, 0, 16) + "\n");
            Cli.Result same = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume", "-q");

            assertThat(other.err()).contains("its input has changed")
                    .contains("as many bytes as it did (" + Files.size(list) + " bytes)")
                    .contains("where it was sha256-64k=" + "0".repeat(32));
            assertThat(same.exitCode()).as(same.err()).isZero();
            assertThat(server.counter().served()).isEqualTo(3);
            assertThat(Records.read(out)).extracting(r -> r.get("seq").asLong())
                    .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
        }
    }

    /**
     * From the review of a backfill: specs.jsonl killed, renamed specs.txt (the same bytes, so
     * the same identity), and resumed: read as a URL list, each spec left became an input
     * error, "not a valid URL" with the whole spec, its API key too, in the url field, counted
     * as done. The format the records were made by is in the identity: such a resume is
     * refused, naming both formats and the option that chooses, and --input-format jsonl goes
     * on.
     */
    @Test
    void specsRenamedToTxtAreNotResumedAsAUrlList() throws Exception {
        try (TestServer server = new TestServer()) {
            StringBuilder specs = new StringBuilder();
            for (int n = 1; n <= 5; n++) {
                specs.append("{\"url\":\"").append(server.url("/quick-held/" + n))
                        .append("\",\"headers\":{\"X-Api-Key\":\"k-s3cret\"}}\n");
            }
            Path jsonl = TestServer.write(dir.resolve("specs.jsonl"), specs.toString());
            Path out = cutShortRunOf(jsonl);
            String kept = Files.readString(out);
            Path txt = Files.move(jsonl, dir.resolve("specs.txt"));
            server.counter().reset();

            Cli.Result asList = Cli.run("fetch", txt.toString(), "-o", out.toString(),
                    "--resume", "-q");

            assertThat(asList.exitCode()).as(asList.err()).isEqualTo(2);
            assertThat(asList.err()).contains("cannot resume")
                    .contains("made reading the input as JSON Lines request specs")
                    .contains("would read " + txt + " as a URL list")
                    .contains("resume with --input-format jsonl")
                    .doesNotContain("k-s3cret");
            assertThat(server.counter().served()).isZero();
            assertThat(out).hasContent(kept);

            Cli.Result asSpecs = Cli.run("fetch", txt.toString(), "-o", out.toString(),
                    "--resume", "-q", "--input-format", "jsonl");

            assertThat(asSpecs.exitCode()).as(asSpecs.err()).isZero();
            assertThat(server.counter().served()).isEqualTo(3);
            assertThat(Records.read(out)).allMatch(r -> r.get("ok").asBoolean()).hasSize(5);
        }
    }

    /**
     * The other way: a URL list resumed with --input-format jsonl is refused, naming the
     * option as given. An identity of an earlier version, which records no format, resumes
     * as it did: no record tells which format it was made by.
     */
    @Test
    void aUrlListResumedAsJsonLinesIsRefusedUnlessItsIdentityNamesNoFormat() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/quick-held/", 5);
            Path out = cutShortRunOf(list);
            Path identity = dir.resolve("out.jsonl.input");
            server.counter().reset();

            Cli.Result asSpecs = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume", "-q", "--input-format", "jsonl");

            assertThat(asSpecs.exitCode()).as(asSpecs.err()).isEqualTo(2);
            assertThat(asSpecs.err()).contains("made reading the input as a URL list")
                    .contains("as JSON Lines request specs (--input-format jsonl)")
                    .contains("resume with --input-format urls");
            assertThat(server.counter().served()).isZero();

            assertThat(identity).content().contains(" format=urls ");
            Files.writeString(identity, Files.readString(identity).replace(" format=urls", ""));
            Cli.Result earlier = Cli.run("fetch", list.toString(), "-o", out.toString(),
                    "--resume", "-q");

            assertThat(earlier.exitCode()).as(earlier.err()).isZero();
            assertThat(server.counter().served()).isEqualTo(3);
        }
    }
    /**
     * auto reads a .ndjson name as JSON Lines now; an earlier version read it as a URL list,
     * and its journal's identity says so. A resume under auto is refused, with starting afresh
     * first (every record it made is an input error), and --input-format urls still goes on
     * as the records were made, none of its records showing a spec's header.
     */
    @Test
    void specsNdjsonReadAsAUrlListBeforeAreNotResumedAsJsonLinesUnasked() throws Exception {
        try (TestServer server = new TestServer()) {
            StringBuilder specs = new StringBuilder();
            for (int n = 1; n <= 5; n++) {
                specs.append("{\"url\":\"").append(server.url("/quick-held/" + n))
                        .append("\",\"headers\":{\"X-Api-Key\":\"k-s3cret\"}}\n");
            }
            Path ndjson = TestServer.write(dir.resolve("specs.ndjson"), specs.toString());
            Path out = dir.resolve("out.jsonl");
            Cli.run("fetch", ndjson.toString(), "-o", out.toString(), "-q", "--input-format",
                    "urls");
            Files.write(out, Files.readAllLines(out).subList(0, 2));

            Cli.Result auto = Cli.run("fetch", ndjson.toString(), "-o", out.toString(),
                    "--resume", "-q");
            Cli.Result asList = Cli.run("fetch", ndjson.toString(), "-o", out.toString(),
                    "--resume", "-q", "--input-format", "urls");

            assertThat(auto.exitCode()).as(auto.err()).isEqualTo(2);
            assertThat(auto.err()).contains("made reading the input as a URL list")
                    .contains("reads a name ending in .jsonl or .ndjson as JSON Lines")
                    .contains("start afresh with --overwrite to read it as JSON Lines")
                    .contains("or resume with --input-format urls");
            assertThat(asList.exitCode()).as(asList.err()).isEqualTo(1);
            assertThat(Records.read(out)).hasSize(5).allSatisfy(r -> assertThat(r.get("url")
                    .asText()).startsWith(server.url("/quick-held/")));
            assertThat(Files.readString(out) + auto.err() + asList.err())
                    .doesNotContain("k-s3cret");
            assertThat(server.counter().served()).isZero();

            Cli.Result afresh = Cli.run("fetch", ndjson.toString(), "-o", out.toString(),
                    "--overwrite", "-q");

            assertThat(afresh.exitCode()).as(afresh.err()).isZero();
            assertThat(server.counter().served()).isEqualTo(5);
        }
    }
}
