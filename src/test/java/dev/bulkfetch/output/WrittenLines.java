package dev.bulkfetch.output;

import dev.bulkfetch.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The lines a run writes to its output file, counted as it goes. */
final class WrittenLines {

    private WrittenLines() {
    }

    static long lines(Path file) throws Exception {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] bytes = Files.readAllBytes(file);
        long n = 0;
        for (byte b : bytes) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }

    /** Waits until {@code file} holds {@code atLeast} lines or the process ends. */
    static void awaitLines(Path file, long atLeast, Process child) throws Exception {
        Await.until(() -> lines(file) >= atLeast, child, Duration.ofSeconds(60));
    }
}
