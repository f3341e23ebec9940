package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A --save-bodies folder that holds an earlier run's bodies is said to, as a new run starts:
 * the new run left them beside its own without a word, and a failed item's SEQ.body there was
 * the earlier run's (exploratory test). A resume is not told: its kept records name them.
 * A resume with no records kept is a new run, and is told, as its failed items' bodies there
 * are not the run's.
 */
class EarlierBodiesTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @TempDir
    Path dir;

    @Test
    void aNewRunIntoAFolderOfEarlierBodiesIsWarnedAResumeIsNot() throws Exception {
        Path list = TestServer.write(dir.resolve("list.txt"), server.url("/ok/1") + "\n");
        Path bodies = Files.createDirectories(dir.resolve("bodies"));
        Files.writeString(bodies.resolve("notes.txt"), "mine");
        Path out = dir.resolve("out.jsonl");

        Cli.Result clean = Cli.run("fetch", list.toString(), "-q", "-o", out.toString(),
                "--save-bodies", bodies.toString());
        Files.writeString(bodies.resolve("7.body"), "an earlier run's");
        Cli.Result again = Cli.run("fetch", list.toString(), "-q", "-o", out.toString(),
                "--overwrite", "--save-bodies", bodies.toString());
        Cli.Result resumed = Cli.run("fetch", list.toString(), "-q", "-o", out.toString(),
                "--resume", "--save-bodies", bodies.toString());

        assertThat(clean.err()).isEmpty();
        assertThat(again.err()).isEqualTo("bulkfetch fetch: warning: --save-bodies " + bodies
                + " holds bodies of an earlier run (" + (again.err().contains("(1.body")
                ? "1.body" : "7.body") + " among them): this run replaces those of the items"
                + " it saves and leaves the others, so go by its records' body_file, or give it"
                + " an empty folder\n");
        assertThat(resumed.err()).isEmpty();
        assertThat(bodies.resolve("7.body")).hasContent("an earlier run's");
        assertThat(bodies.resolve("1.body")).exists();
    }

    /**
     * A --resume whose output file is not there yet starts a new run, as any run: a SEQ.body
     * in its folder is another run's, and stays when its item's fetch brings no body (it was
     * deleted, as a resumed run's own stale body is).
     */
    @Test
    void aResumeWithNoRecordsKeptLeavesTheFoldersBodiesAndIsWarned() throws Exception {
        Path list = TestServer.write(dir.resolve("list.txt"), server.url("/ok/1") + "\n"
                + "http://127.0.0.1:1/refused\n");
        Path bodies = Files.createDirectories(dir.resolve("bodies"));
        Files.writeString(bodies.resolve("2.body"), "an earlier run's");
        Path out = dir.resolve("out.jsonl");

        Cli.Result resumed = Cli.run("fetch", list.toString(), "-q", "-o", out.toString(),
                "--retries", "0", "--resume", "--save-bodies", bodies.toString());

        assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(1);
        assertThat(bodies.resolve("2.body")).hasContent("an earlier run's");
        assertThat(bodies.resolve("1.body")).exists();
        assertThat(resumed.err()).startsWith("bulkfetch fetch: warning: --save-bodies " + bodies
                + " holds bodies of an earlier run (");
    }
}
