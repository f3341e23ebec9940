package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StdinWaitTest {

    @TempDir
    Path dir;

    /**
     * A stop signal while fetch waits for stdin's first bytes ends it as a stopped run does:
     * the signal's exit code, the summary written as interrupted with nothing fetched, and -o
     * left as it was. The wait comes before the run's own handlers (it must, to keep -o whole
     * for a refused UTF-16 stdin): SIGTERM in it killed the JVM outright, with no summary, and
     * the last run's, all ok, was left to be read as this one's.
     */
    @Test
    void aSignalWhileWaitingForStdinEndsTheRunWithItsSummaryAndOutputKept() throws Exception {
        String earlier = "{\"seq\":1,\"ok\":true}\n";
        Path out = Files.writeString(dir.resolve("out.jsonl"), earlier);
        Path summary = Files.writeString(dir.resolve("summary.json"), "{\"all_ok\": true}");
        Path err = dir.resolve("err.txt");
        Process fetch = Child.startWithStdinPipe(err, "fetch", "-", "-o", out.toString(),
                "--overwrite", "--summary-json", summary.toString());
        try {
            assertThat(Await.until(() -> waitsForStdin(fetch), fetch, Duration.ofSeconds(60)))
                    .as("waiting for stdin").isTrue();
            Child.signal(fetch, "TERM");
            assertThat(fetch.waitFor(60, TimeUnit.SECONDS)).as("ended").isTrue();
        } finally {
            fetch.destroyForcibly();
            fetch.getOutputStream().close();
        }
        String said = Files.readString(err);
        assertThat(fetch.exitValue()).as(said).isEqualTo(143);
        assertThat(said).contains("terminated (SIGTERM) before stdin's first line came");
        JsonNode written = new ObjectMapper().readTree(summary.toFile());
        assertThat(written.get("interrupted").asBoolean()).as(written.toString()).isTrue();
        assertThat(written.get("items").asLong()).isZero();
        assertThat(written.get("all_ok").asBoolean()).isFalse();
        assertThat(Files.readString(out)).isEqualTo(earlier);
    }

    /**
     * The wait comes once -o FILE is locked and checked: a second run on FILE meanwhile (an
     * overlapping cron job) is refused at once, and FILE keeps its records. Waiting before
     * the lock, the first run let the second write FILE whole, then emptied it.
     */
    @Test
    void aSecondRunOnTheFileWhileTheFirstWaitsForStdinIsRefused() throws Exception {
        String earlier = "{\"seq\":1,\"ok\":true}\n";
        Path out = Files.writeString(dir.resolve("out.jsonl"), earlier);
        Path list = Files.writeString(dir.resolve("list.txt"), "http://127.0.0.1:9/x\n");
        Process first = Child.startWithStdinPipe(dir.resolve("first.txt"), "fetch", "-", "-o",
                out.toString());
        try {
            assertThat(Await.until(() -> waitsForStdin(first), first, Duration.ofSeconds(60)))
                    .as("waiting for stdin").isTrue();
            Cli.Result second = Cli.run("fetch", list.toString(), "-o", out.toString());
            assertThat(second.exitCode()).as(second.err()).isNotZero();
            assertThat(second.err()).contains("is being written by another run");
            assertThat(Files.readString(out)).isEqualTo(earlier);
        } finally {
            first.destroyForcibly();
            first.getOutputStream().close();
        }
    }

    /**
     * An -o that cannot be written is a usage error at once, not once a quiet producer has
     * sent its first line (an hour's export, then the refusal, its output gone).
     */
    @Test
    void anOutputThatCannotBeWrittenIsRefusedWithoutWaitingForStdin() throws Exception {
        Path err = dir.resolve("err.txt");
        Process fetch = Child.startWithStdinPipe(err, "fetch", "-", "-o",
                dir.resolve("no such folder").resolve("out.jsonl").toString());
        try {
            // A bound only to fail a run that waits for stdin, which never comes.
            assertThat(fetch.waitFor(60, TimeUnit.SECONDS)).as("ended").isTrue();
        } finally {
            fetch.destroyForcibly();
            fetch.getOutputStream().close();
        }
        assertThat(fetch.exitValue()).as(Files.readString(err)).isEqualTo(2);
        assertThat(Files.readString(err)).contains("there is no folder");
    }

    /**
     * A signal that comes with stdin's end (a whole pipeline stopped: the producer died of it
     * too) or just after the wait, before the run's handlers are in, is not lost: it was, and
     * the run went on with an empty list to exit 0. Signals are delivered here by hand, in
     * the orders a real one can take.
     */
    @Test
    void aSignalAfterTheWaitIsHandedToTheRunsHandlers() throws Exception {
        java.util.List<Interrupts.Stop> handed = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (StdinWait ended = new StdinWait(new java.io.ByteArrayInputStream(new byte[0]), 0)) {
            assertThat(ended.await().read()).isEqualTo(-1);
            long before = System.nanoTime();
            ended.signalled(Interrupts.Stop.TERM);
            long after = System.nanoTime();
            ended.signalled(Interrupts.Stop.INT);
            java.util.List<Long> when = new java.util.concurrent.CopyOnWriteArrayList<>();
            ended.handOver((signal, atNanos) -> {
                handed.add(signal);
                when.add(atNanos);
            });
            // As it came, not as handed over: timeout(1)'s second copy, straight to the run's
            // handlers, must not be taken for a second signal for the time the hand-over took.
            assertThat(when.get(0)).isBetween(before, after);
            // Each, in order: a second Ctrl-C quits at once there as it would have here.
            assertThat(handed).as("the signals after the wait").containsExactly(
                    Interrupts.Stop.TERM, Interrupts.Stop.INT);
            ended.signalled(Interrupts.Stop.HUP);
            assertThat(handed).as("and one after the hand-over").containsExactly(
                    Interrupts.Stop.TERM, Interrupts.Stop.INT, Interrupts.Stop.HUP);
        }
        try (StdinWait stopped = new StdinWait(new java.io.ByteArrayInputStream(new byte[0]))) {
            stopped.signalled(Interrupts.Stop.HUP);
            org.assertj.core.api.Assertions.assertThatThrownBy(stopped::await)
                    .isInstanceOfSatisfying(StdinWait.Stopped.class,
                            e -> assertThat(e.stop).isEqualTo(Interrupts.Stop.HUP));
        }
    }

    /**
     * A whole pipeline stopped: the producer dies of the signal, and stdin's end comes a few
     * milliseconds before this JVM runs its handler. Taken for an empty list, that end emptied
     * -o FILE; an empty stdin now waits a moment for a signal, and the run stops before FILE is
     * emptied. The signal is delivered by hand once the wait has seen the end.
     */
    @Test
    void aSignalJustAfterAnEmptyStdinsEndStopsTheRunBeforeFileIsEmptied() throws Exception {
        // A wait for the signal longer than any stall of a loaded machine: the test sends it.
        try (StdinWait wait = new StdinWait(new java.io.ByteArrayInputStream(new byte[0]),
                60_000)) {
            java.util.concurrent.CompletableFuture<Object> waited =
                    new java.util.concurrent.CompletableFuture<>();
            Thread waiting = Thread.ofPlatform().start(() -> {
                try {
                    waited.complete(wait.await());
                } catch (Throwable e) {
                    waited.complete(e);
                }
            });
            // Past the end: waiting for a signal, or (without the moment's wait) returned.
            assertThat(Await.until(() -> waiting.getState() == Thread.State.TIMED_WAITING
                    || waiting.getState() == Thread.State.TERMINATED, Duration.ofSeconds(30)))
                    .isTrue();
            wait.signalled(Interrupts.Stop.TERM);
            assertThat(waited.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(
                    StdinWait.Stopped.class, e -> assertThat(e.stop)
                            .isEqualTo(Interrupts.Stop.TERM));
        }
    }

    /** Whether the wait's thread is there: it starts once the wait's handlers are. */
    private static boolean waitsForStdin(Process fetch) throws IOException {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(fetch.pid()), "task"))) {
            return tasks.anyMatch(task -> {
                try {
                    return Files.readString(task.resolve("comm")).startsWith("bulkfetch-stdin");
                } catch (IOException gone) {
                    return false;
                }
            });
        }
    }
}
