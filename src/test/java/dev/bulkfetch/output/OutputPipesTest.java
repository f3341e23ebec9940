package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipes as a run's output or its input: every record goes through, nothing beside it. */
class OutputPipesTest {

    @TempDir
    Path dir;

    /**
     * {@code -o >(gzip > out.gz)} or a named pipe: the records stream into it, and nothing is
     * written beside it (before, the identity file beside {@code /dev/fd/63} could not be made,
     * and the run did not start). It cannot be read back, so resuming from it is refused.
     */
    @Test
    void aPipeAsTheOutputGetsEveryRecordAndNothingBesideIt() throws Exception {
        Path pipe = fifo("records.pipe");
        try (TestServer server = new TestServer()) {
            Path list = server.urlList(dir, "/ok/", 5);
            // A thread of its own: the common pool may be busy with other tests' work, and a
            // reader that never came would leave the run blocked opening the pipe.
            CompletableFuture<String> read = new CompletableFuture<>();
            java.util.concurrent.atomic.AtomicBoolean opened =
                    new java.util.concurrent.atomic.AtomicBoolean();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try (InputStream in = Files.newInputStream(pipe)) {
                    opened.set(true);
                    read.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    read.completeExceptionally(e);
                }
            });

            Cli.Result result = Cli.run("fetch", list.toString(), "-o", pipe.toString(), "-q");
            if (!opened.get() && result.exitCode() != 0) {
                // The run never opened the pipe: the reader still waits in open(), which a
                // writer's open ends, so it is not left blocked for the rest of the test JVM.
                Files.newOutputStream(pipe).close();
            }
            reader.join(30_000);

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(Records.parse(read.get(30, TimeUnit.SECONDS)))
                    .extracting(r -> r.get("seq").asLong())
                    .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
            assertThat(dir.resolve("records.pipe.input")).doesNotExist();

            Cli.Result resume = Cli.run("fetch", list.toString(), "-o", pipe.toString(),
                    "--resume", "-q");
            assertThat(resume.exitCode()).isEqualTo(2);
            assertThat(resume.err()).contains("not a regular file");

            // A device is no file to overwrite: records and summary may both go to /dev/null.
            Cli.Result nowhere = Cli.run("fetch", list.toString(), "-o", "/dev/null",
                    "--summary-json", "/dev/null", "-q");
            assertThat(nowhere.exitCode()).as(nowhere.err()).isZero();
        }
    }
    /**
     * A list from a pipe ({@code bulkfetch <(gen) -o out.jsonl}): the checksum of the input
     * for --resume read it first, so the run found it empty and fetched nothing (before that
     * checksum covered the whole input, it lost the first 64 KiB). A pipe cannot be read
     * twice: it gets no identity, and resuming from it is refused.
     */
    @Test
    void aListFromAPipeIsFetchedWholeWithAnOutputFile() throws Exception {
        Path pipe = fifo("list.pipe");
        try (TestServer server = new TestServer()) {
            String urls = server.url("/ok/1") + "\n" + server.url("/ok/2") + "\n"
                    + server.url("/ok/3") + "\n";
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try (OutputStream out = Files.newOutputStream(pipe)) {
                    out.write(urls.getBytes(StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    // The run never opened it: the assertions below say so.
                }
            });
            Path out = dir.resolve("out.jsonl");

            CompletableFuture<Cli.Result> run = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> run.complete(
                    Cli.run("fetch", pipe.toString(), "-o", out.toString(), "-q")));
            writer.join(30_000);
            try {
                run.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // The list was used up before the run read it, which now waits in open() for
                // a writer: this one ends it, with nothing more.
                Files.newOutputStream(pipe).close();
            }
            Cli.Result result = run.get(30, TimeUnit.SECONDS);
            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(Records.read(out)).hasSize(3);
            assertThat(dir.resolve("out.jsonl.input")).doesNotExist();
            Cli.Result resume = Cli.run("fetch", pipe.toString(), "-o", out.toString(),
                    "--resume", "-q");
            assertThat(resume.exitCode()).isEqualTo(2);
            assertThat(resume.err()).contains("not a regular file").doesNotContain("--output");
        }
    }

    /** A named pipe {@code name} in the test's folder. */
    private Path fifo(String name) throws Exception {
        Path pipe = dir.resolve(name);
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
        return pipe;
    }
}
