package dev.bulkfetch.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A spec line that is not valid JSON, told in bulkfetch's words: what is wrong and at which
 * column, and what the line asked as far as it reads (its {@code id}, {@code url} and
 * {@code method}), for its record.
 *
 * <p>Jackson's messages quote the input ("Unrecognized token 'sk_live_...'" of an unquoted
 * header value, a secret) and name its own settings and classes, so none of their words is
 * passed on: each kind of failure gets a description of ours, the column comes from the
 * exception's location. The line's fields are read by a second, streaming pass that stops
 * where the line goes wrong: every token it gave before that is whole, so a top-level
 * {@code "id"} read by then is the line's own. A field given twice is not told, as which of
 * the two was meant is not known.
 *
 * <p>Jackson core alone, no databind: a URL list asks this of a line that begins with a brace
 * (a spec read as a URL), and a URL list's run loads no more of Jackson than that.
 */
final class BrokenSpec {

    // No duplicate detection: a field given twice is found by the pass itself, at its depth.
    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> TOLD = Set.of("id", "url", "method");
    // A spec's fields, as JsonLinesReader has them (not read from there: its mapper is
    // databind's): only these a message names, a key of the line's own may be anything.
    private static final Set<String> NAMED = Set.of("id", "url", "method", "headers", "body");
    private static final Pattern CHARACTER = Pattern.compile("\\(code (\\d+)\\)");

    /**
     * What a line asked as far as it reads, each null when not told: {@code id} a string or
     * a whole number ({@code idIsNumber}, as written), {@code url} as given, {@code method}
     * upper case. {@code closedAt} is the
     * offset just past the line's top-level object when it was read to its end, else -1;
     * {@code twice} a spec's fields given more than once in it; {@code stoppedAt} where the
     * read stopped, and {@code tokenAt} where the token it stopped in begins.
     */
    record Fields(String id, boolean idIsNumber, String url, String method, int closedAt,
                  Set<String> twice, int stoppedAt, int tokenAt) {
    }

    private BrokenSpec() {
    }

    /** The fields of {@code text}, a line that may not be valid JSON, as far as it reads. */
    static Fields fields(String text) {
        Map<String, String> values = new HashMap<>();
        Set<String> numbers = new HashSet<>();
        Set<String> twice = new java.util.TreeSet<>();
        int closedAt = -1;
        int stoppedAt;
        int tokenAt;
        try (JsonParser parser = JSON.createParser(text)) {
            try {
                closedAt = read(parser, text, values, numbers, twice);
            } catch (IOException e) {
                // Where the line goes wrong: what was read before it stands.
            }
            stoppedAt = (int) parser.currentLocation().getCharOffset();
            tokenAt = (int) parser.currentTokenLocation().getCharOffset();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);  // a String has nothing to fail to read
        }
        values.keySet().removeAll(twice);
        String method = values.get("method");
        String id = values.get("id");
        return new Fields(id, id != null && numbers.contains("id"), values.get("url"),
                method == null ? null : method.toUpperCase(java.util.Locale.ROOT), closedAt,
                Set.copyOf(twice), stoppedAt, tokenAt);
    }

    /**
     * Reads the told fields of the object {@code parser} begins into {@code values}, naming
     * those given as whole numbers in {@code numbers} and a spec's fields given more than once
     * in {@code twice}; returns the offset past the object's end, or -1 when it is no object.
     */
    private static int read(JsonParser parser, String text, Map<String, String> values,
                            Set<String> numbers, Set<String> twice) throws IOException {
        if (parser.nextToken() == JsonToken.START_OBJECT) {
            Set<String> seen = new HashSet<>();
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                boolean told = TOLD.contains(name);
                if (!seen.add(name) && NAMED.contains(name)) {
                    twice.add(name);
                }
                JsonToken value = parser.nextToken();
                if (value == null) {
                    break;
                }
                if (told) {
                    boolean number = value == JsonToken.VALUE_NUMBER_INT && name.equals("id")
                            && endsThere(parser, text);
                    // A number's text is as written (-0 stays -0).
                    values.put(name, value == JsonToken.VALUE_STRING || number
                            ? parser.getText() : null);
                    if (number) {
                        numbers.add(name);  // given twice, it is told as neither
                    }
                }
                parser.skipChildren();
            }
            if (token == JsonToken.END_OBJECT) {
                return (int) parser.currentLocation().getCharOffset();
            }
        }
        return -1;
    }

    /**
     * Whether the number {@code parser} is at ends where JSON lets it, before a space, a comma
     * or the object's end: Jackson reads {@code 0x10} and {@code 12abc} as 0 and 12 and fails
     * only at the token after, and the line's record kept 0 and 12 as its id.
     */
    private static boolean endsThere(JsonParser parser, String text) throws IOException {
        int end = (int) parser.currentTokenLocation().getCharOffset() + parser.getTextLength();
        return end >= text.length() || " \t\r\n,}]".indexOf(text.charAt(end)) >= 0;
    }

    /**
     * Why {@code text}, whose fields are {@code fields}, is not valid JSON, as {@code e} found:
     * "not valid JSON: " what, at which column of the line as written ({@code text} with
     * {@code lead} characters of white space before it), and no text of the line.
     */
    static String problem(JsonProcessingException e, String text, int lead, Fields fields) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        JsonLocation location = e.getLocation();
        // A limit's exception (numbers, nesting) has no location: the second read's stop.
        int at = location != null && location.getCharOffset() >= 0
                ? (int) Math.min(location.getCharOffset(), text.length()) : fields.stoppedAt();
        if (fields.closedAt() >= 0 && at >= fields.closedAt()) {
            // A second value, or a stray one: Jackson's words named its own classes.
            int next = fields.closedAt();
            while (next < text.length() && Character.isWhitespace(text.charAt(next))) {
                next++;
            }
            return "not valid JSON: more after the object, at column "
                    + LineItemReader.column(text, lead, next) + " (one spec a line)";
        }
        String what;
        String where = ", at column ";
        if (message.startsWith("Unrecognized token")) {
            what = "a value that is not quoted (strings need double quotes)";
            at = tokenStart(text, at);
        } else if (message.startsWith("Non-standard token")) {
            what = "NaN or Infinity is not JSON";
            at = tokenStart(text, at);
        } else if (message.contains("comment")) {
            what = "comments are not JSON";
        } else if (message.startsWith("Unexpected end-of-input")) {
            if (message.contains("closing quote") || message.contains("field name")) {
                // Its end says nothing of where: the string left open does.
                at = fields.tokenAt() >= 0 ? fields.tokenAt() : at;
                what = "the line ends inside the " + (message.contains("field name") ? "key"
                        : "string") + " that begins";
                where = " at column ";
            } else {
                what = "the line ends inside an object or array";
            }
        } else if (message.startsWith("Duplicate field")) {
            at = keyStart(text, at);
            what = fields.twice().isEmpty() ? "a key is given twice in one object"
                    : "\"" + String.join("\", \"", fields.twice()) + "\" given twice (which is"
                    + " meant is not known)";
        } else if (message.contains("double-quote to start field name")) {
            what = character(message) == '}' ? "a comma with no key after it"
                    : "a key that is not in double quotes";
        } else if (message.contains("comma to separate")) {
            what = "a comma missing between two entries";
        } else if (message.startsWith("Unexpected close marker")) {
            what = "a closing bracket or brace that does not match what it closes";
        } else if (message.contains("expected a valid value") || message.contains("expected a "
                + "value")) {
            what = character(message) == ']' ? "a comma with no value after it"
                    : "a value is missing, or is none JSON has";
        } else if (message.startsWith("Illegal unquoted character")) {
            what = "a control character, such as a tab, in a string (JSON writes it as an"
                    + " escape, such as \\t)";
        } else if (message.startsWith("Unrecognized character escape")) {
            what = "a backslash escape JSON does not have (a backslash itself is \\\\)";
        } else if (message.contains("hex-digit for character escape")) {
            what = "a \\u escape without four hex digits";
        } else if (message.contains("numeric value") || message.contains("Leading zeroes")) {
            what = "a number written as JSON does not allow";
        } else if (message.contains("nesting depth")) {
            what = "objects or arrays nested more than 1000 deep";
        } else if (message.contains("Number value length")) {
            what = "a number longer than 1000 digits";
        } else {
            what = "not what JSON allows there";
        }
        return "not valid JSON: " + what + where + LineItemReader.column(text, lead, at);
    }

    /**
     * Where the word that ends at {@code end} begins: Jackson locates an unquoted word, or a
     * NaN, past its end, where a reader looks for its start.
     */
    private static int tokenStart(String text, int end) {
        int start = end;
        while (start > 0 && !Character.isWhitespace(text.charAt(start - 1))
                && "{}[],:\"".indexOf(text.charAt(start - 1)) < 0) {
            start--;
        }
        return start;
    }

    /**
     * Where the key before {@code colon} begins: Jackson locates a key given twice at the
     * colon after it.
     */
    private static int keyStart(String text, int colon) {
        int end = colon - 1;
        while (end > 0 && Character.isWhitespace(text.charAt(end))) {
            end--;
        }
        for (int start = end - 1; end > 0 && text.charAt(end) == '"' && start >= 0; start--) {
            int backslashes = 0;
            while (start - backslashes > 0 && text.charAt(start - backslashes - 1) == '\\') {
                backslashes++;
            }
            if (text.charAt(start) == '"' && backslashes % 2 == 0) {
                return start;
            }
        }
        return colon;
    }

    /** The character Jackson's message names by its code, or -1: a brace, a bracket. */
    private static int character(String message) {
        Matcher code = CHARACTER.matcher(message);
        return code.find() ? Integer.parseInt(code.group(1)) : -1;
    }
}
