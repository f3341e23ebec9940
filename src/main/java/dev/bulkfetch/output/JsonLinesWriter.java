package dev.bulkfetch.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.input.UrlPasswords;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes one JSON object per line, the record the README describes, through Jackson's streaming
 * generator: no tree per record. A record is written whole before the next begins (the driver is
 * the only caller), and output is flushed whenever the driver has nothing more to hand over, so
 * a reader of the file sees whole lines only and a crash loses at most what was in the buffer.
 */
public final class JsonLinesWriter implements RecordSink {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final JsonGenerator json;
    private final boolean closeStream;
    private final boolean flushEach;
    // A write failed (a full disk, a reader gone): close() then writes nothing more, as that
    // would only fail again, after the failure was reported.
    private boolean failed;

    /** Writes to {@code out}; closes it on {@link #close()} only when {@code closeStream}. */
    public JsonLinesWriter(OutputStream out, boolean closeStream) throws IOException {
        this(out, closeStream, false);
    }

    /**
     * As {@link #JsonLinesWriter(OutputStream, boolean)}; with {@code flushEach}, every record
     * is flushed as it is written, so a journal loses nothing finished to a crash.
     */
    public JsonLinesWriter(OutputStream out, boolean closeStream, boolean flushEach)
            throws IOException {
        this.json = JSON.createGenerator(out);
        this.json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        this.json.setRootValueSeparator(null);
        this.closeStream = closeStream;
        this.flushEach = flushEach;
    }

    @Override
    public void accept(FetchResult r) throws IOException {
        try {
            write(r);
        } catch (IOException e) {
            failed = true;
            throw e;
        }
    }

    private void write(FetchResult r) throws IOException {
        json.writeStartObject();
        json.writeNumberField("seq", r.seq());
        json.writeFieldName("id");
        if (r.idIsNumber()) {
            json.writeNumber(r.id());  // as the spec gives it, digit for digit
        } else {
            json.writeString(r.id());
        }
        json.writeStringField("url", UrlPasswords.masked(r.url()));
        json.writeStringField("method", r.method());
        json.writeBooleanField("ok", r.ok());
        if (r.status() == null) {
            json.writeNullField("status");
        } else {
            json.writeNumberField("status", r.status());
        }
        if (r.error() == null) {
            json.writeNullField("error");
        } else {
            json.writeObjectFieldStart("error");
            json.writeStringField("kind", r.error().kind().wireName());
            json.writeStringField("message", r.error().message());
            json.writeEndObject();
        }
        json.writeNumberField("attempts", r.attempts());
        json.writeNumberField("latency_ms", Math.round(r.latencyMillis() * 1000) / 1000.0);
        json.writeNumberField("bytes", r.bytes());
        json.writeStringField("engine", r.engine());
        if (r.finalUrl() != null && !r.finalUrl().equals(r.url())) {
            json.writeStringField("final_url", UrlPasswords.masked(r.finalUrl()));
        }
        if (r.body() instanceof String text) {
            json.writeStringField("body", text);
        }
        if (r.bodyFile() != null) {
            json.writeStringField("body_file", r.bodyFile());
        }
        json.writeEndObject();
        json.writeRaw('\n');
        if (flushEach) {
            json.flush();
        }
    }

    @Override
    public boolean flushesEach() {
        return flushEach;
    }

    @Override
    public void flush() throws IOException {
        try {
            json.flush();
        } catch (IOException e) {
            failed = true;
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        OutputStream out = (OutputStream) json.getOutputTarget();
        if (failed) {
            if (closeStream) {
                try {
                    out.close();  // closed, even where its last flush fails again
                } catch (IOException alreadyReported) {
                    // The write that failed first was reported; this one would say it again.
                }
            }
            return;
        }
        json.flush();
        json.close();
        if (closeStream) {
            out.close();
        }
    }
}
