package dev.bulkfetch.cli;

import static dev.bulkfetch.testing.TmpDir.inTemporaryFolder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher records its start-up cache from {@code train} and, when that fails, starts
 * every run without the cache (see StartUpCacheTest): so the training run itself must succeed,
 * on every engine, and leave nothing behind.
 */
class TrainCommandTest {

    @TempDir
    Path tmp;

    /**
     * Its folder is looked for in a temporary folder of the test's own: in the machine's, a
     * second build's training run came and went while the test looked.
     */
    @ParameterizedTest
    @ValueSource(strings = {"event-loop", "threads", "virtual", "serial"})
    void theEngineFetchesEveryUrlAndTheScratchFolderIsRemoved(String engine) throws Exception {
        Cli.Result result = inTemporaryFolder(tmp, () -> Cli.run("train", "--engine", engine));

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.OK);
        assertThat(trainingFolders()).isEmpty();
    }

    @Test
    void theRunsGoThroughTheEngineItIsGiven() {
        // The test above would also pass for a training run that ignored its engine or fetched
        // nothing; this one would not.
        assertThat(Cli.run("train", "--engine", "warp").exitCode()).isNotEqualTo(ExitCodes.OK);
    }

    private Set<Path> trainingFolders() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("bulkfetch-train"))
                    .collect(Collectors.toSet());
        }
    }
}
