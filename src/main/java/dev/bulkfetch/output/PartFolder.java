package dev.bulkfetch.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A folder bodies are saved into, by {@code --save-bodies} ({@link BodyStore}) and by the
 * library's {@code BodyHandlers.files} ({@link FileBodies}) alike: made ready once, then each
 * body's part named as this process's and its file named by seq.
 */
final class PartFolder {

    private final Path dir;
    // Part names are this process's: no other run's part, nor a user's file, is ever taken.
    // The process's id and start let a later run tell the parts of a run that was killed.
    private final String partPrefix = PartNames.ofThisRun();
    private final AtomicLong partNumber = new AtomicLong();

    private PartFolder(Path dir) {
        this.dir = dir;
    }

    /**
     * {@code dir}, made if need be, which must take a new file now: one that cannot
     * (read-only, no permission) would have every body fetched and lost. The parts a killed
     * run left there are deleted.
     *
     * @throws IOException saying why the folder cannot be used
     */
    static PartFolder ready(Path dir) throws IOException {
        Path made = Files.createDirectories(dir);
        BodyStore.checkWritable(made);
        deletePartsOfEndedRuns(made);
        return new PartFolder(made);
    }

    /** A new part of this process's, to be made as its body's first chunk comes. */
    PartFile newPart() {
        return new PartFile(dir.resolve(partPrefix + partNumber.incrementAndGet()
                + PartNames.SUFFIX));
    }

    /** Where item {@code seq}'s body is saved. */
    Path bodyOf(long seq) {
        return BodyStore.fileOf(dir, seq);
    }

    /**
     * Deletes the parts of runs whose process has ended: a killed run (kill -9, a second
     * Ctrl-C) cannot delete its own, and an hours-long backfill killed now and then would
     * otherwise gather them, hidden, at full size.
     */
    private static void deletePartsOfEndedRuns(Path dir) throws IOException {
        try (var parts = Files.newDirectoryStream(dir,
                PartNames.PREFIX + "*" + PartNames.SUFFIX)) {
            for (Path part : parts) {
                if (PartNames.ofEndedRun(part.getFileName().toString())) {
                    Files.deleteIfExists(part);
                }
            }
        }
    }
}
