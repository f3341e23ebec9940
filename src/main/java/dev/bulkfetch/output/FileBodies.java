package dev.bulkfetch.output;

import dev.bulkfetch.BodyHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code BodyHandlers.files}: each 2xx body saved to {@code DIR/SEQ.body} as
 * {@code fetch --save-bodies} saves it, a part file of this process's renamed once whole, for
 * a library's fetcher, which writes no record to name the file at: the sink names it as the
 * body ends, and the file is its value.
 */
public final class FileBodies implements BodyHandler<Path> {

    private final PartFolder folder;

    private FileBodies(PartFolder folder) {
        this.folder = folder;
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
            return new FileBodies(PartFolder.ready(folder));
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
        return comes ? new FileSink(folder.newPart(), folder.bodyOf(response.seq())) : null;
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
