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
 * One compare at a time writes into a --report folder. Real compares: a child JVM killed with
 * SIGKILL, and the command line run in this one.
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
     * with SIGKILL holds no one back: its lock was the operating system's, not its file's
     * being there.
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
            assertThat(names(report)).as("what the killed compare left").contains(LOCK);

            Cli.Result next = Cli.run("compare", quick.toString(), "--engines", "serial",
                    "--warmup", "0", "--report", report.toString());

            assertThat(next.exitCode()).as(next.err()).isZero();
            assertThat(names(report)).contains("runs.json", "report.html")
                    .doesNotContain(LOCK);
        }
    }

    private static Set<String> names(Path folder) throws java.io.IOException {
        try (var files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
