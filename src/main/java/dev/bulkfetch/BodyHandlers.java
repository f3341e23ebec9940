package dev.bulkfetch;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteBufferFeeder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.bulkfetch.output.FileBodies;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/** The {@link BodyHandler}s most jobs need. Each is stateless and can be shared. */
public final class BodyHandlers {

    // Jackson's mappers are thread-safe once configured; one is enough for json(Class). It
    // waits in a holder: making one costs tens of milliseconds at start-up, and the default
    // handler, bytes(), never needs it.
    // Fields the type does not name are skipped: an API adds fields, and a job that reads
    // two of them must not fail on the third (the shipped mock's /items/N has an id the
    // README's Item lacks, and every page failed).
    private static final class DefaultMapper {
        static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper
                .builder()
                .disable(com.fasterxml.jackson.databind.DeserializationFeature
                        .FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    private BodyHandlers() {
    }

    /** Keeps nothing; the result's {@code bytes} still counts the body. */
    public static BodyHandler<Void> discarding() {
        return response -> null;
    }

    /** The whole body as bytes, of any status: the fetcher's default. */
    public static BodyHandler<byte[]> bytes() {
        return response -> new BytesSink();
    }

    /**
     * The whole body as text, of any status, decoded as it streams in the charset the
     * {@code Content-Type} names (UTF-8 when it names none or one this JVM lacks); malformed
     * bytes become U+FFFD rather than failing the item.
     */
    public static BodyHandler<String> text() {
        return response -> new TextSink(charsetOf(response));
    }

    /**
     * Each 2xx body saved to a file in {@code folder}, named from its request's
     * {@link FetchRequest#seq() seq} ({@code 17.body}) and never from anything in the URL, so
     * no URL however crafted writes outside the folder; the result's body is the file's path
     * ({@code folder.resolve("17.body")}). Saved as {@code fetch --save-bodies} saves them:
     * the body streams to a hidden part file of this process's beside it
     * ({@code .bulkfetch-...part}) and takes its name only once whole, replacing a file of that
     * name (an earlier run's) in one step; a body cut off, too large or given up on leaves no
     * file, and its part is deleted. Other statuses keep nothing (their bodies are counted,
     * not saved), so an error page never lands where a page is looked for, and neither does a
     * HEAD's or a 204's, which have no body: their result's body is {@code null}.
     *
     * <p>Files are named by seq alone: give each request its own, or a later body replaces an
     * earlier one. A body not saved leaves a file of its name, an earlier run's, as it was. A
     * body saved whole stays, even when its result is never handed over (the fetcher closed
     * first). On the event loop the writes happen on the I/O thread, as {@code fetch} does
     * them: a write lands in the page cache, and when the disk cannot keep up, the stalled
     * reads slow the fetching rather than fill the heap. A write that fails (a full disk, a
     * folder with files in it where the body's file goes) ends its item as a {@code body} error
     * naming the file. Parts that a killed process left in the folder are deleted as the
     * handler is made.
     *
     * @throws java.io.UncheckedIOException when {@code folder} cannot be made, or cannot take
     *     a new file now (read-only, no permission), saying why: every body would be fetched
     *     and lost
     */
    public static BodyHandler<Path> files(Path folder) {
        return FileBodies.in(folder);
    }

    /** A 2xx body parsed as JSON into a tree as it streams; other statuses keep nothing. */
    public static BodyHandler<JsonNode> json() {
        return json(DefaultMapper.MAPPER, JsonNode.class);
    }

    /**
     * A 2xx body parsed as JSON into {@code type} with a default {@link ObjectMapper}, which
     * skips fields {@code type} does not have (pass your own mapper to refuse them). On the
     * module path, Jackson builds {@code type} by reflection: its module must open the package
     * to {@code com.fasterxml.jackson.databind}, or every item ends as a {@code body} error
     * ("module app does not "exports app" to module com.fasterxml.jackson.databind").
     */
    public static <T> BodyHandler<T> json(Class<T> type) {
        return json(DefaultMapper.MAPPER, type);
    }

    /**
     * A 2xx body parsed as JSON into {@code type} by {@code mapper}. Parsing happens as chunks
     * arrive (Jackson's non-blocking parser), so the raw bytes are never held whole; a body that
     * is not valid JSON, or holds more than one value (NDJSON), ends the item as a {@code body}
     * error. An empty body (a 204, say) is {@code null}, as is the value {@code null}; a body
     * of white space alone holds no value, as JSON has it, and is a {@code body} error. Other
     * statuses keep nothing, so a 404's HTML page stays an {@code http} error rather than a
     * parse error.
     */
    public static <T> BodyHandler<T> json(ObjectMapper mapper, Class<T> type) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(type, "type");
        return response -> response.status() / 100 == 2 ? new JsonSink<>(mapper, type) : null;
    }

    static Charset charsetOf(BodyHandler.ResponseInfo response) {
        return response.header("Content-Type").map(type -> {
            for (String param : type.split(";")) {
                String p = param.trim();
                if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    String name = p.substring("charset=".length()).replace("\"", "").trim();
                    try {
                        return Charset.forName(name);
                    } catch (IllegalArgumentException e) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
            return StandardCharsets.UTF_8;
        }).orElse(StandardCharsets.UTF_8);
    }

    /**
     * Keeps the chunks as they come and joins them once, at the end: a growing array doubled
     * and copied itself on the way up, so a 9 MiB body left about 25 MiB of arrays too large
     * for the young generation behind it, and 200 such bodies saved at -c 32 took 6 GB.
     */
    private static final class BytesSink implements BodyHandler.Sink<byte[]> {
        private final java.util.List<byte[]> chunks = new java.util.ArrayList<>();
        private int size;

        @Override
        public void accept(ByteBuffer chunk) {
            byte[] copy = new byte[chunk.remaining()];
            chunk.get(chunk.position(), copy); // absolute: the buffer is left as it came
            chunks.add(copy);
            size = Math.addExact(size, copy.length);
        }

        @Override
        public byte[] finish() {
            if (chunks.size() == 1) {
                return chunks.get(0);
            }
            byte[] body = new byte[size];
            int at = 0;
            for (byte[] chunk : chunks) {
                System.arraycopy(chunk, 0, body, at, chunk.length);
                at += chunk.length;
            }
            return body;
        }
    }

    /** Decodes as it goes; a multi-byte character split across chunks waits in {@code carry}. */
    private static final class TextSink implements BodyHandler.Sink<String> {
        private final CharsetDecoder decoder;
        private final StringBuilder text = new StringBuilder();
        private ByteBuffer carry = ByteBuffer.allocate(0);
        private CharBuffer out = CharBuffer.allocate(8192);

        TextSink(Charset charset) {
            this.decoder = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
        }

        @Override
        public void accept(ByteBuffer chunk) {
            ByteBuffer in = chunk;
            if (carry.hasRemaining()) {
                in = ByteBuffer.allocate(carry.remaining() + chunk.remaining()).put(carry)
                        .put(chunk).flip();
            }
            decode(in, false);
            carry = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip()
                    : ByteBuffer.allocate(0);
        }

        @Override
        public String finish() {
            decode(carry, true);
            decoder.flush(out);
            drain();
            return text.toString();
        }

        private void decode(ByteBuffer in, boolean last) {
            while (decoder.decode(in, out, last).isOverflow()) {
                drain();
            }
            drain();
        }

        private void drain() {
            out.flip();
            text.append(out);
            out.clear();
        }
    }

    /**
     * Feeds Jackson's non-blocking parser chunk by chunk and records its tokens; at the end the
     * recorded tokens are bound to the target type. Tokens, not bytes, are what is held.
     */
    private static final class JsonSink<T> implements BodyHandler.Sink<T> {
        private final ObjectMapper mapper;
        private final Class<T> type;
        private final JsonParser parser;
        private final TokenBuffer tokens;
        private boolean any;
        // Whether any byte came: a body of white space alone is not an empty one.
        private boolean fed;

        JsonSink(ObjectMapper mapper, Class<T> type) {
            this.mapper = mapper;
            this.type = type;
            try {
                this.parser = mapper.getFactory().createNonBlockingByteBufferParser();
            } catch (IOException e) {
                throw new IllegalStateException("Jackson cannot make a non-blocking parser", e);
            }
            this.tokens = new TokenBuffer(parser);
        }

        @Override
        public void accept(ByteBuffer chunk) throws IOException {
            // The feeder keeps a reference, and the chunk is only ours during this call.
            ByteBuffer copy = ByteBuffer.allocate(chunk.remaining()).put(chunk).flip();
            fed |= copy.hasRemaining();
            ((ByteBufferFeeder) parser.getNonBlockingInputFeeder()).feedInput(copy);
            pull();
        }

        @Override
        public T finish() throws IOException {
            ((ByteBufferFeeder) parser.getNonBlockingInputFeeder()).endOfInput();
            pull();
            if (!any && fed) {
                // JSON is a value between optional white space (RFC 8259): white space alone
                // is no document, and read as an empty body, a broken answer passed as ok.
                throw new com.fasterxml.jackson.core.JsonParseException(parser,
                        "no JSON value in the body, only white space");
            }
            if (!any) {
                return null;  // an empty 2xx (a 204, say) has no value rather than a bad one
            }
            try (JsonParser recorded = tokens.asParser(mapper)) {
                // A second value after the first (NDJSON, say) is no JSON document: binding
                // the first alone dropped the rest without a word.
                return mapper.readerFor(type)
                        .with(com.fasterxml.jackson.databind.DeserializationFeature
                                .FAIL_ON_TRAILING_TOKENS)
                        .readValue(recorded);
            }
        }

        private void pull() throws IOException {
            JsonToken token;
            while ((token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
                tokens.copyCurrentEvent(parser);
                any = true;
            }
        }
    }
}
