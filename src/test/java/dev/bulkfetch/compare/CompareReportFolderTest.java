package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One compare at a time writes into a --report folder, and the next one into it tidies what
 * a compare killed outright left there. Real compares: a child JVM killed with SIGKILL, and
 * the command line run in this one, beside a hold this JVM takes itself.
 */
class CompareReportFolderTest {

    /** The lock's file, in the folder while a compare writes there. */
    private static final String LOCK = ".bulkfetch-compare.lock";

    @TempDir
    Path dir;

    /**
     * Two compares into one folder both ran, each on the other's timing, the runs' files of
     * both mixed in it, and the last one's report won. The second is refused at once, with
     * exit 2 naming the folder, sending nothing and touching nothing there. A compare killed
     * with SIGKILL holds no one back (its lock was the operating system's), and the next one
     * removes the files it left, keeping a file of the user's named like them.
     */
    @Test
    void aSecondCompareIntoTheFolderIsRefusedAndAKilledOneHoldsNoOneBack() throws Exception {
        try (TestServer server = new TestServer()) {
            Path held = server.urlList(dir, "/long-held/", 40);  // 60 s, one at a time
            Path quick = server.urlList(dir, "/ok/", 4);
            Path report = Files.createDirectories(dir.resolve("report"));
            Process first = Child.start(dir.resolve("err.txt"), List.of(), "compare",
                    held.toString(), "--engines", "serial", "--warmup", "0", "--report",
                    report.toString());
            AtomicReference<List<ProcessHandle>> runs = new AtomicReference<>(List.of());
            try {
                assertThat(Await.until(() -> {
                    runs.set(first.descendants().toList());
                    return !runs.get().isEmpty() && server.counter().inFlight() > 0;
                }, first, Duration.ofSeconds(60))).as("the first compare's run under way")
                        .isTrue();
                Set<String> before = names(report);

                Cli.Result second = Cli.run("compare", quick.toString(), "--engines",
                        "serial", "--warmup", "0", "--report", report.toString());

                assertThat(second.exitCode()).as(second.err()).isEqualTo(2);
                assertThat(second.err()).contains("bulkfetch compare: another compare is"
                        + " writing into the --report folder " + report + " ")
                        .doesNotContain("--help").doesNotContain("run 1/");
                assertThat(server.wireMock().getAllServeEvents()).noneMatch(
                        event -> event.getRequest().getUrl().startsWith("/ok/"));
                assertThat(names(report)).isEqualTo(before);
            } finally {
                // SIGKILL: no hook of its own runs.
                first.destroyForcibly();
                first.waitFor();
            }
            assertThat(Await.until(() -> runs.get().stream().noneMatch(ProcessHandle::isAlive),
                    Duration.ofSeconds(30))).as("its run ended with it").isTrue();
            assertThat(names(report)).as("what the killed compare left").contains(LOCK)
                    .anyMatch(name -> name.startsWith(".bulkfetch-compare-measured-"))
                    .anyMatch(name -> name.startsWith(".bulkfetch-compare-run-serial-c1-1-"))
                    .anyMatch(name -> name.startsWith(".bulkfetch-compare-lists-"));
            Path mine = TestServer.write(report.resolve(".bulkfetch-compare-notes.txt"), "mine");

            Cli.Result next = Cli.run("compare", quick.toString(), "--engines", "serial",
                    "--warmup", "0", "--report", report.toString());

            assertThat(next.exitCode()).as(next.err()).isZero();
            assertThat(names(report)).containsExactlyInAnyOrder("runs.json", "report.html",
                    mine.getFileName().toString());
            assertThat(mine).hasContent("mine");
        }
    }

    /**
     * Two compares into one folder starting at once: the second's check that the folder takes
     * a file made one named as compare's temporary files are, before it asked for the lock, and
     * the first, holding the lock, removed it as a killed compare's leftover, so the second
     * said it "cannot write into the folder". The second now asks for the lock before it
     * makes any file in the folder, so the first's removal finds none of its files there.
     * The folder's modification time, set back, shows whether one was made (and removed).
     */
    @Test
    void aSecondCompareMakesNoFileInTheFolderBeforeItLearnsItIsHeld() throws Exception {
        Path list = TestServer.write(dir.resolve("list.txt"), "http://127.0.0.1:9/a\n");
        Path report = Files.createDirectories(dir.resolve("report"));
        try (FolderLock first = FolderLock.take(report)) {
            java.nio.file.attribute.FileTime past = java.nio.file.attribute.FileTime.from(
                    java.time.Instant.parse("2001-01-01T00:00:00Z"));
            Files.setLastModifiedTime(report, past);

            Cli.Result second = Cli.run("compare", list.toString(), "--engines", "serial",
                    "--warmup", "0", "--report", report.toString());

            assertThat(second.exitCode()).as(second.err()).isEqualTo(2);
            assertThat(second.err()).contains("another compare is writing into the --report"
                    + " folder " + report + " ").doesNotContain("cannot write");
            assertThat(Files.getLastModifiedTime(report)).as("a file made in the folder")
                    .isEqualTo(past);
            assertThat(names(report)).containsExactly(LOCK);
        }
    }

    /**
     * A compare killed outright (kill -9, the OOM killer) left its temporary files in the
     * folder for good: its run's measurement and log, a failed run's log being rewritten, the
     * copies of the list, a report file being written beside its name. The next compare into
     * the folder removes them, and its lock's file, even one that then fails (its mock's port
     * taken) and lets the folder go as it ends; files named like them but not as compare names
     * its own, and a failed run's kept log, stay.
     */
    @Test
    void theNextCompareRemovesTheTemporaryFilesOfKilledOnesAndNothingElse() throws Exception {
        try (TestServer server = new TestServer()) {
            Path quick = server.urlList(dir, "/ok/", 4);
            Path report = Files.createDirectories(dir.resolve("report"));
            List<Path> left = List.of(
                    left(report, ".bulkfetch-compare-measured-8158239447611234567.json"),
                    left(report, ".bulkfetch-compare-run-event-loop-c16-2-"
                            + "1234567890123456789.log"),
                    left(report, ".bulkfetch-compare-run-serial-c1-1-42.log"),
                    left(report, ".bulkfetch-compare-failed-17045372123.log"),
                    left(report, ".bulkfetch-compare-writable-9007199254740993"),
                    left(report, ".bulkfetch-compare-runs.json-3w5e11264sgsg.part"),
                    left(report, ".bulkfetch-compare-report.html-1y2p0ij32e8e7.part"),
                    // A killed compare's lock's file: its lock went with it.
                    left(report, LOCK));
            Path lists = Files.createDirectories(report.resolve(
                    ".bulkfetch-compare-lists-5326791126470347181"));
            left(lists, "demo.txt");
            List<Path> theUsers = List.of(
                    mine(report, ".bulkfetch-compare-notes.txt"),
                    mine(report, ".bulkfetch-compare-measured-1.json.bak"),
                    mine(report, ".bulkfetch-compare-lists-mine"),
                    mine(report, ".bulkfetch-compare-runs.json.part"),
                    mine(report, "bulkfetch-compare-measured-1.json"),
                    mine(report, ".bulkfetch-compare.lock.txt"),
                    // A failed run's log, kept for the user by an earlier compare.
                    mine(report, "measured-run-serial-c1-1-5.log"));

            try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                    java.net.InetAddress.getLoopbackAddress())) {
                Cli.Result busy = Cli.run("compare", quick.toString(), "--mock", "--mock-port",
                        Integer.toString(taken.getLocalPort()), "--engines", "serial",
                        "--warmup", "0", "--report", report.toString());
                assertThat(busy.exitCode()).as(busy.err()).isEqualTo(2);
                assertThat(busy.err()).doesNotContain("another compare");
            }

            assertThat(left).allSatisfy(file -> assertThat(file).doesNotExist());
            assertThat(lists).doesNotExist();
            assertThat(theUsers).allSatisfy(file -> assertThat(file).hasContent("mine"));
            Cli.Result next = Cli.run("compare", quick.toString(), "--engines", "serial",
                    "--warmup", "0", "--report", report.toString());
            assertThat(next.exitCode()).as(next.err()).isZero();
            assertThat(names(report)).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.Stream.concat(java.util.stream.Stream.of("runs.json",
                            "report.html"), theUsers.stream().map(f -> f.getFileName()
                            .toString())).toList());
        }
    }

    /** A file named {@code name} in {@code folder}, as a killed compare left it. */
    private static Path left(Path folder, String name) {
        return TestServer.write(folder.resolve(name), "left");
    }

    /** A file of the user's named {@code name} in {@code folder}. */
    private static Path mine(Path folder, String name) {
        return TestServer.write(folder.resolve(name), "mine");
    }

    private static Set<String> names(Path folder) throws java.io.IOException {
        try (var files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
