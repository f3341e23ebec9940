package dev.bulkfetch.compare;

import static dev.bulkfetch.compare.CompareFolders.compareFolders;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Child;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compare without --report keeps its runs' files in a folder of the system's temporary
 * folder, which a compare killed outright left there for good. The next compare removes
 * such folders, and no other: not a running compare's, nor anything merely named like one.
 * Real compares in child JVMs, their java.io.tmpdir a folder of the test's.
 */
class CompareTempFolderTest {

    /** The lock's file, in the folder while a compare writes there. */
    private static final String LOCK = ".bulkfetch-compare-temp.lock";

    @TempDir
    Path dir;
    private Path tmp;

    @BeforeEach
    void makeTmp() throws Exception {
        tmp = Files.createDirectories(dir.resolve("tmp"));
    }

    /**
     * A compare killed with SIGKILL left its folder, each run's log in it, in the temporary
     * folder for good. The next compare removes it and says so on stderr in one line, and
     * leaves what only looks like one: a folder without the lock's file (a compare's that
     * ended with a failed run's log kept, or a user's), a link to a compare's folder, and a
     * folder named otherwise. It leaves no folder of its own either.
     */
    @Test
    void theNextCompareRemovesTheFolderOfACompareKilledOutrightAndNothingElse()
            throws Exception {
        try (TestServer server = new TestServer()) {
            Path held = server.urlList(dir, "/long-held/", 40);  // 60 s, one at a time
            Process killed = compare(dir.resolve("killed-err.txt"), held);
            Path left;
            AtomicReference<List<ProcessHandle>> runs = new AtomicReference<>(List.of());
            try {
                assertThat(Await.until(() -> {
                    runs.set(killed.descendants().toList());
                    return !runs.get().isEmpty() && server.counter().inFlight() > 0;
                }, killed, Duration.ofSeconds(60))).as("the compare's run under way").isTrue();
                left = compareFolders(tmp).stream().collect(onlyOne());
            } finally {
                // SIGKILL: no hook of its own runs.
                killed.destroyForcibly();
                killed.waitFor();
            }
            assertThat(Await.until(() -> runs.get().stream().noneMatch(ProcessHandle::isAlive),
                    Duration.ofSeconds(30))).as("its run ended with it").isTrue();
            assertThat(names(left)).as("what the killed compare left")
                    .anyMatch(name -> name.startsWith(".bulkfetch-compare-measured-"))
                    .anyMatch(name -> name.startsWith(".bulkfetch-compare-run-serial-c1-1-"));
            Path kept = mine(tmp.resolve("bulkfetch-compare-17"),
                    "measured-run-serial-c1-1-5.log");
            Path elsewhere = mine(dir.resolve("elsewhere"), LOCK);
            Path link = Files.createSymbolicLink(tmp.resolve("bulkfetch-compare-18"),
                    elsewhere.getParent());
            Path otherName = mine(tmp.resolve("bulkfetch-compare-notes"), LOCK);
            Set<String> theUsers = names(tmp);
            theUsers.remove(left.getFileName().toString());

            Path err = dir.resolve("next-err.txt");
            Process next = compare(err, server.urlList(dir, "/ok/", 4));

            assertThat(next.waitFor(120, TimeUnit.SECONDS)).as("the next compare ended").isTrue();
            assertThat(next.exitValue()).as(Files.readString(err)).isZero();
            assertThat(left).doesNotExist();
            assertThat(Files.readString(err)).contains("compare: removed the temporary folder a"
                    + " killed compare left in " + tmp + " (").contains("): "
                    + left.getFileName() + "\n");
            assertThat(names(tmp)).as("no folder of the next compare's own either")
                    .isEqualTo(theUsers);
            assertThat(List.of(kept, elsewhere, otherName))
                    .allSatisfy(file -> assertThat(file).hasContent("mine"));
            assertThat(link).isSymbolicLink();
        }
    }

    /**
     * A compare running beside the next one (each without --report, each in a folder of its
     * own) keeps its folder, files and run, while the next one removes a killed compare's
     * folder beside it: the running one holds the lock on its lock's file. Stopped by
     * SIGTERM, it removes its own folder.
     */
    @Test
    void aRunningComparesFolderIsKeptAndGoesWhenThatCompareIsStopped() throws Exception {
        try (TestServer server = new TestServer()) {
            Path held = server.urlList(dir, "/long-held/", 40);  // 60 s, one at a time
            Path runningErr = dir.resolve("running-err.txt");
            Process running = compare(runningErr, held);
            try {
                assertThat(Await.until(() -> server.counter().inFlight() > 0, running,
                        Duration.ofSeconds(60))).as("the compare's run under way").isTrue();
                Path its = compareFolders(tmp).stream().collect(onlyOne());
                Set<String> itsFiles = names(its);
                // As a compare makes its folder, its lock's file locked by no process.
                Path killed = tmp.resolve("bulkfetch-compare-4242424242");
                mine(killed, LOCK);
                mine(killed, ".bulkfetch-compare-measured-8158239447611234567.json");
                mine(killed.resolve(".bulkfetch-compare-lists-53267911264"), "list.txt");
                mine(killed, "runs.log");

                Path err = dir.resolve("next-err.txt");
                Process next = compare(err, server.urlList(dir, "/ok/", 4));

                assertThat(next.waitFor(120, TimeUnit.SECONDS)).as("the next compare ended")
                        .isTrue();
                assertThat(next.exitValue()).as(Files.readString(err)).isZero();
                assertThat(killed).doesNotExist();
                assertThat(Files.readString(err)).contains("compare: removed the temporary"
                        + " folder a killed compare left in " + tmp + " (").contains("): "
                        + killed.getFileName() + "\n");
                assertThat(running.isAlive()).as(Files.readString(runningErr)).isTrue();
                assertThat(names(its)).isEqualTo(itsFiles).contains(LOCK);
                // Its run goes on: more of its requests are answered. (In flight at this
                // instant failed now and then: each is held 1.5 s, with a gap between two.)
                int served = server.counter().served();
                assertThat(Await.until(() -> server.counter().served() > served, running,
                        Duration.ofSeconds(60))).as("its run still under way").isTrue();

                Child.signal(running, "TERM");

                assertThat(running.waitFor(60, TimeUnit.SECONDS)).as("stopped").isTrue();
                assertThat(running.exitValue()).as(Files.readString(runningErr)).isEqualTo(143);
                assertThat(compareFolders(tmp)).as("its folder, once it was stopped").isEmpty();
            } finally {
                running.destroyForcibly();
                running.descendants().forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** compare of {@code list} on serial alone, without --report, its temporary folder tmp. */
    private Process compare(Path err, Path list) throws Exception {
        return Child.start(err, List.of("-Djava.io.tmpdir=" + tmp), "compare", list.toString(),
                "--engines", "serial", "--warmup", "0");
    }

    /** A file of the user's named {@code name} in {@code folder}, made if need be. */
    private static Path mine(Path folder, String name) throws Exception {
        return TestServer.write(Files.createDirectories(folder).resolve(name), "mine");
    }

    private static Set<String> names(Path folder) throws java.io.IOException {
        try (var files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static java.util.stream.Collector<Path, ?, Path> onlyOne() {
        return Collectors.collectingAndThen(Collectors.toList(), all -> {
            assertThat(all).as("the compare's temporary folder").hasSize(1);
            return all.getFirst();
        });
    }
}
