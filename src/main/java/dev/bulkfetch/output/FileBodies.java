package dev.bulkfetch.output;

import dev.bulkfetch.BodyHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code BodyHandlers.files}: each 2xx body saved to {@code DIR/SEQ.body} as
 * {@code fetch --save-bodies} saves it, a part file of this process's renamed once whole, for
 * a library's fetcher, which writes no record to name the file at: the sink names it as the
 * body ends, and the file is its value.
 */
public final class FileBodies implements BodyHandler<Path> {

    private final Path dir;
    // Part names are this handler's: no other run's part, nor a user's file, is ever taken.
    private final String partPrefix = PartNames.ofThisRun();
    private final AtomicLong partNumber = new AtomicLong();

    private FileBodies(Path dir) {
        this.dir = dir;
    }

    /**
     * Saves into {@code folder}, made if need be now, which must take a new file now; the
     * parts a killed process left there are deleted, as a CLI run deletes them.
     *
     * @throws UncheckedIOException saying why the folder cannot be used
     */
    public static FileBodies in(Path folder) {
        Objects.requireNonNull(folder, "folder");
        try {
            Path dir = Files.createDirectories(folder);
            BodyStore.checkWritable(dir);
            BodyStore.deletePartsOfEndedRuns(dir);
            return new FileBodies(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save bodies to " + folder + ": "
                    + FileErrors.reason(e), e);
        }
    }

    /** A sink for a 2xx body that comes (not a HEAD's, nor a 204's); none for the rest. */
    @Override
    public Sink<Path> open(ResponseInfo response) {
        boolean comes = response.status() / 100 == 2 && response.status() != 204
                && !"HEAD".equals(response.method());
        return comes ? new FileSink(new PartFile(dir.resolve(partPrefix
                + partNumber.incrementAndGet() + PartNames.SUFFIX)),
                BodyStore.fileOf(dir, response.seq())) : null;
    }

    /** One body: its part, renamed to {@code target} at the end. */
    private record FileSink(PartFile part, Path target) implements Sink<Path> {

        @Override
        public void accept(ByteBuffer chunk) throws IOException {
            part.write(chunk.duplicate()); // the caller's buffer is left as it came
        }

        @Override
        public Path finish() throws IOException {
            part.close();
            try {
                part.renameTo(target);
            } catch (IOException e) {
                throw new IOException("cannot save the body to " + target + ": "
                        + FileErrors.reason(e), e);
            }
            return target;
        }

        @Override
        public void abandon() {
            part.delete();
        }
    }
}
