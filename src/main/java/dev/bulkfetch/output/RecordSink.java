package dev.bulkfetch.output;

import dev.bulkfetch.FetchResult;
import java.io.IOException;

/** Where finished records go. Called from one thread at a time (the run's driver). */
public interface RecordSink extends AutoCloseable {

    void accept(FetchResult result) throws IOException;

    /** Pushes what was accepted so far out to the file or stream. */
    void flush() throws IOException;

    /**
     * Whether every record is out of the sink once {@link #accept} returns (a journal's,
     * flushed as it is written): a write that fails then loses only the record it was of.
     */
    default boolean flushesEach() {
        return false;
    }

    @Override
    void close() throws IOException;
}
