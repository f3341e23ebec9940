package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A command refused with exit 2 changes nothing on disk, its bodies' folder included. */
class RefusedCommandTest {

    // Never fetched: every command here is refused before a request is sent.
    private static final String LIST = "http://127.0.0.1:1/x\n";

    @TempDir
    Path dir;

    /** The folder was made first, and left behind by a command refused for its input. */
    @Test
    void aMissingInputMakesNoBodiesFolder() {
        Path bodies = dir.resolve("bodies");

        Cli.Result result = Cli.run("fetch", dir.resolve("nonexist.txt").toString(), "-q",
                "--save-bodies", bodies.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("input file not found");
        assertThat(bodies).doesNotExist();
    }

    @Test
    void anOutputFileThatCannotBeWrittenMakesNoBodiesFolder() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);
        Path bodies = dir.resolve("bodies");

        Cli.Result result = Cli.run("fetch", list.toString(), "-q", "-o",
                dir.resolve("nonexistent/z.jsonl").toString(), "--save-bodies",
                bodies.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("there is no folder");
        assertThat(bodies).doesNotExist();
    }

    /** Refused by the journal: the output file of a run that did not finish. */
    @Test
    void anUnfinishedRunsOutputFileMakesNoBodiesFolder() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);
        Path out = Files.writeString(dir.resolve("out.jsonl"), "{\"seq\":1}\n");
        Files.writeString(dir.resolve("out.jsonl.input"), "crc32c=0\nrunning\n");
        Path bodies = dir.resolve("bodies");

        Cli.Result result = Cli.run("fetch", list.toString(), "-q", "-o", out.toString(),
                "--save-bodies", bodies.toString());

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(bodies).doesNotExist();
        assertThat(out).hasContent("{\"seq\":1}\n");
    }

    /**
     * Without -o, stdin is refused at the run's first read of it, after the folder was made
     * (and the folders above it), which the refused command left behind.
     */
    @ParameterizedTest
    @ValueSource(strings = {"UTF-16", "gzip"})
    void aStdinRefusedAtItsFirstReadLeavesNoBodiesFolder(String encoding) throws Exception {
        byte[] stdin = encoding.equals("gzip") ? gzip(LIST)
                : LIST.getBytes(java.nio.charset.StandardCharsets.UTF_16);
        Path bodies = dir.resolve("made/bodies");

        Cli.Result result = Cli.runWithInput(stdin, "fetch", "-", "-q", "--save-bodies",
                bodies.toString());

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("stdin is " + encoding);
        assertThat(dir.resolve("made")).doesNotExist();

        // From review: a path not normalised (new/../b) crashed the run, which made b and then
        // looked for its real path through new/, not there.
        result = Cli.runWithInput(stdin, "fetch", "-", "-q", "--save-bodies",
                dir.resolve("new/../b").toString());
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(dir.resolve("new")).doesNotExist();
        assertThat(dir.resolve("b")).doesNotExist();

        // A folder that was there before the run is not the run's to remove.
        Files.createDirectories(bodies);
        result = Cli.runWithInput(stdin, "fetch", "-", "-q", "--save-bodies",
                bodies.toString());
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(bodies).isEmptyDirectory();
    }

    private static byte[] gzip(String text) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    /**
     * One path for the records and the bodies, however spelt: the folder was made, and then
     * -o refused as "a folder, not a file", a folder bulkfetch had just made itself.
     */
    @Test
    void theRecordsAndTheBodiesOnOnePathAreAUsageErrorNamingBoth() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);
        Path same = dir.resolve("y.jsonl");

        for (String bodies : new String[] {same.toString(),
                dir.resolve(".").resolve("y.jsonl").toString(),
                dir.resolve("sub/../y.jsonl").toString()}) {
            Cli.Result result = Cli.run("fetch", list.toString(), "-q", "-o", same.toString(),
                    "--save-bodies", bodies);

            assertThat(result.exitCode()).as(bodies).isEqualTo(ExitCodes.USAGE);
            assertThat(result.err()).as(bodies).contains("--output").contains("--save-bodies")
                    .contains("the same path").doesNotContain("is a folder");
            assertThat(same).as(bodies).doesNotExist();
        }
    }
}
