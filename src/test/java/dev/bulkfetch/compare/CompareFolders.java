package dev.bulkfetch.compare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** The temporary folders compare makes, to show that a run leaves none behind. */
final class CompareFolders {

    private CompareFolders() {
    }

    /**
     * Runs {@code run}, a compare in this JVM, with {@code tmp} as its temporary folder: compare
     * reads java.io.tmpdir as it makes its folder. The machine's own holds the folders of other
     * builds' compares too, which come and go while a test looks (a test failed so, with a
     * second build's tests running).
     */
    static <T> T inTemporaryFolder(Path tmp, java.util.concurrent.Callable<T> run)
            throws Exception {
        String was = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
        try {
            return run.call();
        } finally {
            System.setProperty("java.io.tmpdir", was);
        }
    }

    static java.util.Set<Path> compareFolders(Path tmp) throws java.io.IOException {
        try (var files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("bulkfetch-compare"))
                    .collect(Collectors.toSet());
        }
    }
}
