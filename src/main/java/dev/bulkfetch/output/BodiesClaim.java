package dev.bulkfetch.output;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A run's claim on its {@code --save-bodies} folder, so that a second run saving into it at
 * the same time is refused: two overlapping runs (a cron job that outlived its hour) saved
 * their bodies under the same {@code SEQ.body} names, and a record's {@code body_file} named
 * the other run's body.
 *
 * <p>The claim is a mark in the folder named as a body's part is ({@link PartNames}), so its
 * process id and start tell a later run whether the run that made it has ended: a killed
 * run's mark holds no one back, and goes. A run makes its mark before it looks for another's,
 * so of two starting together at least one sees the other, and neither goes on unseen. Marks
 * of this process's own (the library's, or another run in one JVM) are not another run's.
 */
public final class BodiesClaim implements AutoCloseable {

    private static final String SUFFIX = ".run";

    private final Path mark;

    private BodiesClaim(Path mark) {
        this.mark = mark;
    }

    /** Another run is saving bodies into the folder now. */
    public static final class InUse extends IOException {
        InUse(Path dir, long pid) {
            super(dir + " is where another run (process " + pid + ") is saving its bodies:"
                    + " let it end, or give another folder");
        }
    }

    /**
     * Claims {@code dir}, which must exist, for this run; deletes the marks of runs that have
     * ended.
     *
     * @throws InUse when a run of another process that has not ended claims it
     */
    public static BodiesClaim take(Path dir) throws IOException {
        Path mark = Files.createFile(dir.resolve(PartNames.ofThisRun() + "claim" + SUFFIX));
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> marks = Files.newDirectoryStream(dir,
                PartNames.PREFIX + "*" + SUFFIX)) {
            for (Path other : marks) {
                String name = other.getFileName().toString();
                long pid = PartNames.pidOf(name);
                if (pid < 0 || pid == self) {
                    continue;  // not a mark of ours, or this process's
                }
                if (PartNames.ofEndedRun(name, SUFFIX)) {
                    Files.deleteIfExists(other);
                } else {
                    throw new InUse(dir, pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(mark);
            throw e;
        }
        return new BodiesClaim(mark);
    }

    /** Gives the folder up; idempotent, and says nothing: a mark left goes with the next run. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(mark);
        } catch (IOException e) {
            // It stays until a later run finds this process ended.
        }
    }
}
