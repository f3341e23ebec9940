package dev.bulkfetch.compare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** The temporary folders compare makes, to show that a run leaves none behind. */
final class CompareFolders {

    private CompareFolders() {
    }

    static java.util.Set<Path> compareFolders(Path tmp) throws java.io.IOException {
        try (var files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("bulkfetch-compare"))
                    .collect(Collectors.toSet());
        }
    }
}
