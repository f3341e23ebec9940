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
 * {@code {"id", "url", "method", "headers", "body"}}; only {@code url} is required. A string body
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

    private final UrlListReader.RequestTemplate template;

    JsonLinesReader(InputStream in, UrlListReader.RequestTemplate template) {
        super(in, MAX_LINE_BYTES);
        this.template = template;
    }

    /** Opens {@code source} like {@link UrlListReader#open}. */
    static JsonLinesReader open(String source, InputStream stdin,
                                UrlListReader.RequestTemplate template)
            throws InputUnavailableException {
        return new JsonLinesReader(source.equals("-") ? stdin : UrlListReader.openFile(source),
                template);
    }

    @Override
    InputItem parse(long seq, String text) {
        String raw = text.length() <= 200 ? text : text.substring(0, 200) + "...";
        JsonNode spec;
        try {
            spec = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return new InputItem.Rejected(seq, raw, "not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (!spec.isObject()) {
            return new InputItem.Rejected(seq, raw, "a request spec must be a JSON object");
        }
        JsonNode url = spec.get("url");
        if (url == null || !url.isTextual()) {
            return new InputItem.Rejected(seq, raw, "\"url\" is missing or not a string");
        }
        Object target = UrlListReader.urlOrProblem(url.asText());
        if (target instanceof String problem) {
            return new InputItem.Rejected(seq, url.asText(), "\"url\": " + problem);
        }
        String method = template.method();
        JsonNode m = spec.get("method");
        if (m != null) {
            if (!m.isTextual()) {
                return new InputItem.Rejected(seq, raw, "\"method\" must be a word like POST");
            }
            try {
                method = HttpSyntax.method(m.asText());
            } catch (IllegalArgumentException e) {
                return new InputItem.Rejected(seq, raw, "\"method\": " + e.getMessage());
            }
        }
        Map<String, String> headers = new LinkedHashMap<>(template.headers());
        JsonNode h = spec.get("headers");
        if (h != null) {
            if (!h.isObject()) {
                return new InputItem.Rejected(seq, raw, "\"headers\" must be an object");
            }
            java.util.Set<String> named = new java.util.HashSet<>();
            for (Map.Entry<String, JsonNode> header : h.properties()) {
                if (!named.add(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    // Names are case-insensitive: which of the two was meant is not known.
                    return new InputItem.Rejected(seq, raw, "header \"" + header.getKey()
                            + "\" is given twice");
                }
                if (!header.getValue().isValueNode() || header.getValue().isNull()) {
                    return new InputItem.Rejected(seq, raw, "header \"" + header.getKey()
                            + "\" must be a string");
                }
                try {
                    HttpSyntax.put(headers, header.getKey(), header.getValue().asText());
                } catch (IllegalArgumentException e) {
                    return new InputItem.Rejected(seq, raw, e.getMessage());
                }
            }
        }
        byte[] body = null;
        JsonNode b = spec.get("body");
        if (b != null && !b.isNull()) {
            if (b.isTextual()) {
                body = b.asText().getBytes(StandardCharsets.UTF_8);
            } else if (b.isContainerNode()) {
                body = b.toString().getBytes(StandardCharsets.UTF_8);
                if (headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Content-Type"))) {
                    headers.put("Content-Type", "application/json");
                }
            } else {
                return new InputItem.Rejected(seq, raw,
                        "\"body\" must be a string, an object or an array");
            }
        }
        JsonNode id = spec.get("id");
        if (id != null && !id.isNull() && !id.isTextual() && !id.isIntegralNumber()) {
            return new InputItem.Rejected(seq, raw, "\"id\" must be a string or a whole number");
        }
        String idText = id == null || id.isNull() ? null : id.asText();
        return new InputItem.Request(new FetchRequest(seq, idText,
                template.mapUrl((URI) target), method, headers, body));
    }

}
