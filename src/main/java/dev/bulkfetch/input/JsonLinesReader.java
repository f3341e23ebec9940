package dev.bulkfetch.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulkfetch.FetchRequest;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Request specs as JSON Lines, read lazily: one object a line,
 * {@code {"id", "url", "method", "headers", "body"}}; only {@code url} is required, and a field
 * given as {@code null} is that field left out (a header's value is a string). A string body
 * is sent as it is; an object or array body is sent as JSON with
 * {@code Content-Type: application/json} unless the line sets one. Blank lines and {@code #}
 * comments are skipped but counted, so {@code seq} is the line number. A malformed line becomes
 * a {@link InputItem.Rejected} naming the line and what is wrong.
 */
final class JsonLinesReader extends LineItemReader {

    /** Longest line accepted: a spec may carry a body. */
    static final int MAX_LINE_BYTES = 1024 * 1024;
    // Strict where a loose reading would send something other than what the line says: a
    // second "url" would silently win, and text after the object would be ignored.
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper
            .builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature
                    .FAIL_ON_TRAILING_TOKENS)
            .build();

    /** What a spec may hold; anything else is that line's input error. */
    private static final java.util.List<String> FIELDS =
            java.util.List.of("id", "url", "method", "headers", "body");

    private static final String NO_UTF8 = ", which has no UTF-8 form";

    private final UrlListReader.RequestTemplate template;
    // Specs with a body and no method, sent as GETs.
    private final LineNotes bodiesWithoutMethod = new LineNotes();

    JsonLinesReader(InputStream in, UrlListReader.RequestTemplate template) {
        this(in, "-", template);
    }

    /** Reads {@code in}, which is {@code source} to the user ({@code -} for stdin). */
    JsonLinesReader(InputStream in, String source, UrlListReader.RequestTemplate template) {
        super(in, source, MAX_LINE_BYTES);
        this.template = template;
    }

    @Override
    public LineNotes bodiesWithoutMethod() {
        return bodiesWithoutMethod;
    }

    @Override
    InputItem parse(long seq, String text, int lead) {
        JsonNode spec;
        try {
            spec = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // Jackson's words quote the line (an unquoted secret too): ours, and what of the
            // line reads, for its record to say which spec it was.
            BrokenSpec.Fields fields = BrokenSpec.fields(text);
            return UrlListReader.rejected(seq, kept(fields.id()), fields.idIsNumber(),
                    fields.url(), fields.method() != null ? fields.method() : template.method(),
                    BrokenSpec.problem(e, text, lead, fields));
        }
        if (!spec.isObject()) {
            return new InputItem.Rejected(seq, null, "a request spec must be a JSON object");
        }
        return new Spec(seq, spec, text).request(text, lead);
    }

    @Override
    InputItem unreadable(long seq, String text, String problem) {
        // Not the line: a spec's headers may carry a secret, which no record shows. Nor its
        // id: all there is of it is its start, cut (too long), or read leniently (not UTF-8),
        // and an id read from that may be another than the line's.
        return new InputItem.Rejected(seq, null, problem);
    }

    /** One line's object: what it asks, checked field by field. */
    private final class Spec {
        private final long seq;
        private final JsonNode spec;
        // What the line asked, as far as it can be told: its rejection's record shows these.
        private final String id;
        private final boolean idIsNumber;
        private final String url;
        private final String method;

        /** The spec {@code spec}, read from {@code text}. */
        Spec(long seq, JsonNode spec, String text) {
            this.seq = seq;
            this.spec = spec;
            JsonNode i = given("id");
            this.idIsNumber = i != null && i.isIntegralNumber();
            // A number as written, which is the tree's text of it but for -0, there 0 (JSON
            // has no other way to write a whole number twice: no plus, no leading zeros).
            this.id = i != null && i.isTextual() ? i.asText() : !idIsNumber ? null
                    : i.bigIntegerValue().signum() != 0 ? i.asText() : rawValue(text, "id");
            JsonNode u = given("url");
            this.url = u != null && u.isTextual() ? u.asText() : null;
            JsonNode m = given("method");
            // Upper case, as an accepted spec's is: "get" and "GET" are the same request.
            this.method = m != null && m.isTextual() ? m.asText().toUpperCase(java.util.Locale.ROOT)
                    : template.method();
        }

        /** The request of {@code text}, {@code lead} characters into its line. */
        InputItem request(String text, int lead) {
            for (java.util.Iterator<String> names = spec.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!FIELDS.contains(name)) {
                    // A misspelt "headrs" or "Method" would send another request than meant.
                    return rejected("unknown field \"" + name + "\": a spec has "
                            + String.join(", ", FIELDS));
                }
            }
            JsonNode u = given("url");
            if (u == null || !u.isTextual()) {
                return rejected("\"url\" is missing or not a string");
            }
            if (loneSurrogate(u.asText()) instanceof String escape) {
                return rejected("\"url\" has " + escape + NO_UTF8);
            }
            // As given: a JSON string is exact, and a space around its URL is as much the
            // line's mistake as a space in a URL list's URL.
            Object target = UrlListReader.urlOrProblem(u.asText(),
                    i -> urlColumn(text, lead, i));
            if (target instanceof String problem) {
                return rejected("\"url\": " + problem);
            }
            String checkedMethod = template.method();
            JsonNode m = given("method");
            if (m != null) {
                if (!m.isTextual()) {
                    return rejected("\"method\" must be a word like POST");
                }
                try {
                    checkedMethod = HttpSyntax.method(m.asText());
                } catch (IllegalArgumentException e) {
                    return rejected("\"method\": " + e.getMessage());
                }
            }
            Map<String, String> headers = new LinkedHashMap<>(template.headers());
            JsonNode h = given("headers");
            if (h != null) {
                if (!h.isObject()) {
                    return rejected("\"headers\" must be an object");
                }
                java.util.Set<String> named = new java.util.HashSet<>();
                for (Map.Entry<String, JsonNode> header : h.properties()) {
                    if (!named.add(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
                        // Names are case-insensitive: which of the two was meant is not known.
                        return rejected(HttpSyntax.named(header.getKey()) + " is given twice");
                    }
                    if (!header.getValue().isTextual()) {
                        // A number would go as Jackson prints it (1e2 as 100.0), not as written.
                        return rejected(HttpSyntax.named(header.getKey()) + " must be a string");
                    }
                    if (loneSurrogate(header.getValue().asText()) instanceof String escape) {
                        return rejected(HttpSyntax.named(header.getKey()) + " has " + escape
                                + " in its value" + NO_UTF8);
                    }
                    try {
                        HttpSyntax.put(headers, header.getKey(), header.getValue().asText());
                    } catch (IllegalArgumentException e) {
                        return rejected(e.getMessage());
                    }
                }
            }
            byte[] body = null;
            JsonNode b = given("body");
            if (b != null) {
                if (b.isTextual()) {
                    if (loneSurrogate(b.asText()) instanceof String escape) {
                        return rejected("\"body\" has " + escape + NO_UTF8);
                    }
                    body = b.asText().getBytes(StandardCharsets.UTF_8);
                } else if (b.isContainerNode()) {
                    body = rawBody(text).getBytes(StandardCharsets.UTF_8);
                    if (headers.keySet().stream()
                            .noneMatch(k -> k.equalsIgnoreCase("Content-Type"))) {
                        headers.put("Content-Type", "application/json");
                    }
                } else {
                    return rejected("\"body\" must be a string, an object or an array");
                }
            }
            if (given("id") instanceof JsonNode i && id == null) {
                return rejected("\"id\" must be a string or a whole number, not "
                        + (i.isNumber() ? "a number with a fraction or an exponent"
                        : i.isBoolean() ? "true or false" : i.isObject() ? "an object"
                        : "an array"));
            }
            if (id != null && loneSurrogate(id) instanceof String escape) {
                // Its record's id is the one thing that ties results to specs: as a url's,
                // a header's and a body's, it must be the same text in UTF-8.
                return rejected("\"id\" has " + escape + NO_UTF8);
            }
            if (body != null && m == null && checkedMethod.equals("GET")) {
                bodiesWithoutMethod.note(seq);
            }
            return new InputItem.Request(new FetchRequest(seq, id,
                    template.mapUrl((URI) target), checkedMethod, headers, body, idIsNumber));
        }

        /**
         * The field {@code name}, or null when the line leaves it out or gives it as null: a
         * producer of specs writes {@code "headers": null} for a field it has no value for.
         */
        private JsonNode given(String name) {
            JsonNode field = spec.get(name);
            return field == null || field.isNull() ? null : field;
        }

        private InputItem rejected(String problem) {
            return UrlListReader.rejected(seq, kept(id), idIsNumber, url, method, problem);
        }
    }

    /**
     * {@code id} as a rejected line's record keeps it: none when it has a lone surrogate, which
     * the record could only write as an escape of no character, read back as another id (its
     * {@code seq} still names the line).
     */
    private static String kept(String id) {
        return id == null || loneSurrogate(id) == null ? id : null;
    }

    /**
     * The first lone UTF-16 surrogate in {@code text}, said with its escape, or null. JSON
     * can write one (U+D800 alone, as an escape) though no character is one: encoded as UTF-8
     * it went as a '?', or in a URL as the replacement character, so the request sent was not
     * the one the line asks. An object or array body goes as written, escape and all.
     */
    private static String loneSurrogate(String text) {
        int lone = Shown.loneSurrogate(text, 0);
        return lone < 0 ? null
                : String.format("a lone UTF-16 surrogate (\\u%04x)", (int) text.charAt(lone));
    }

    /**
     * The object or array body of {@code line} exactly as written: sent through a tree,
     * numbers went as doubles ({@code 19.999999999999999999} as 20.0, {@code 1e400} as the
     * string "Infinity").
     */
    private static String rawBody(String line) {
        return rawValue(line, "body");
    }

    /** The value of the top-level field {@code name} of {@code line} exactly as written. */
    private static String rawValue(String line, String name) {
        int[] value = valueAt(line, name);
        return line.substring(value[0], value[1]);
    }

    /**
     * The column, in the line as written, of the character at {@code index} of the url of
     * {@code line}, a spec {@code lead} characters into it. The url's string is walked in the
     * line up to that character, as an escape before it is longer there than in the url (two
     * characters for one, or six for a hex escape); a character written as an escape is at
     * its backslash.
     */
    private static int urlColumn(String line, int lead, int index) {
        int at = valueAt(line, "url")[0] + 1;  // past the opening quote
        for (int i = 0; i < index; i++) {
            // Each escape is one UTF-16 unit of the url: an emoji escaped is two hex escapes.
            at += line.charAt(at) != '\\' ? 1 : line.charAt(at + 1) == 'u' ? 6 : 2;
        }
        return column(line, lead, at);
    }

    /**
     * Where the value of the top-level field {@code name} of {@code line}, a spec that has
     * it, begins and ends: offsets into {@code line}.
     */
    private static int[] valueAt(String line, String name) {
        try (com.fasterxml.jackson.core.JsonParser parser = JSON.createParser(line)) {
            parser.nextToken();
            while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                int from = (int) parser.currentTokenLocation().getCharOffset();
                parser.skipChildren();
                parser.finishToken();  // a string is read lazily: read it, for the location past it
                if (field.equals(name)) {
                    return new int[] {from, (int) parser.currentLocation().getCharOffset()};
                }
            }
        } catch (java.io.IOException e) {
            // The line parsed once already; it cannot fail the second time.
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no \"" + name + "\" in a spec that has one");
    }
}
