package dev.bulkfetch.testing;

import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.input.InputItem;
import dev.bulkfetch.output.RecordSink;
import java.net.URI;
import java.util.List;

/** What a test driving a {@code BulkRun} itself gives it: items, and a sink that keeps. */
public final class RunParts {

    private RunParts() {
    }

    /** A GET of {@code url} at {@code seq}, as the input gives one. */
    public static InputItem item(long seq, String url) {
        return new InputItem.Request(FetchRequest.get(seq, URI.create(url)));
    }

    /** A sink that adds each record to {@code records}, from the run's driver thread. */
    public static RecordSink collecting(List<FetchResult> records) {
        return new RecordSink() {
            @Override
            public void accept(FetchResult result) {
                records.add(result);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }
}
