package dev.bulkfetch.output;

import dev.bulkfetch.FetchResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A resume's records, each of which leaves its item's {@code SEQ.body} in the bodies' folder
 * as its own: the body it saved, or none. A resume fetches items whose body the run before may
 * have saved with no record that names it now: an item that failed with a body (a 500's page)
 * and is fetched again ({@code --retry-failed} drops its record), or one whose body was saved as
 * a crash came before its record. Should the new answer bring no body (a connection refused),
 * the old file stayed beside the records, named by none of them. Only for the folder the kept
 * records name bodies in: a {@code SEQ.body} in any other is not the run's to remove.
 */
public final class StaleBodies implements RecordSink {

    private final RecordSink records;
    private final Path dir;

    private StaleBodies(RecordSink records, Path dir) {
        this.records = records;
        this.dir = dir;
    }

    /** {@code records}, each record of which takes its item's stale body out of {@code dir}. */
    public static RecordSink clearing(RecordSink records, Path dir) {
        return new StaleBodies(records, dir);
    }

    @Override
    public void accept(FetchResult result) throws IOException {
        if (result.bodyFile() == null) {
            try {
                // An empty folder under the name goes too, as a save's would; one with files
                // in it, or a file that will not go, stays as it would have without this.
                Files.deleteIfExists(BodyStore.fileOf(dir, result.seq()));
            } catch (IOException e) {
                // The record matters more than the leftover beside it.
            }
        }
        records.accept(result);
    }

    @Override
    public void flush() throws IOException {
        records.flush();
    }

    @Override
    public boolean flushesEach() {
        return records.flushesEach();
    }

    @Override
    public void close() throws IOException {
        records.close();
    }
}
