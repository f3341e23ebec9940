package dev.bulkfetch.input;

import java.util.Locale;
import java.util.Map;

/**
 * What a method and a header must look like to be sent, checked once where a request is made,
 * whichever way it came (a URL list's {@code -X}/{@code -H}, a JSON Lines spec, a library call).
 * Without it, each engine met a bad one in its own way and late, as the item's {@code protocol}
 * error after it had counted as sent; and a lower-case method went out from the event loop but
 * was refused by the blocking engines.
 */
public final class HttpSyntax {

    // RFC 9110's tchar: what a method or a header name may hold.
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    private HttpSyntax() {
    }

    /**
     * {@code method} upper case, as every way in gives it ({@code get} is GET, as curl's users
     * and JSON specs mean it), or an error when it is not one word, or is CONNECT.
     */
    public static String method(String method) {
        if (!isToken(method)) {
            throw new IllegalArgumentException("'" + method + "' is not an HTTP method: a word "
                    + "like POST");
        }
        String upper = method.toUpperCase(Locale.ROOT);
        if (upper.equals("CONNECT")) {
            // It asks a proxy for a tunnel and fetches nothing; the event loop, given one,
            // span on it for good, past every timeout.
            throw new IllegalArgumentException("CONNECT asks a proxy for a tunnel and fetches "
                    + "nothing: it is not sent");
        }
        return upper;
    }

    /**
     * Puts header {@code name} into {@code headers}, its value as {@link #headerValue} makes
     * it.
     *
     * @throws IllegalArgumentException when it cannot be sent, or a header of that name, in
     *     any case, is there already: names are case-insensitive, and the engines would send
     *     two such differently (the event loop both, the JDK the last)
     */
    public static void addHeader(Map<String, String> headers, String name, String value) {
        java.util.Objects.requireNonNull(name, "a header name");
        for (String earlier : headers.keySet()) {
            if (earlier.equalsIgnoreCase(name)) {
                throw new IllegalArgumentException("header \"" + name
                        + "\" is given twice, also as \"" + earlier + "\"");
            }
        }
        headers.put(name, headerValue(name, value));
    }

    /**
     * {@code value} as a header {@code name} carries it: without the spaces or tabs around it,
     * which are not part of a value (RFC 9110), and checked. The name must be a word and not
     * one that frames the body ({@code Content-Length}, {@code Transfer-Encoding}); the value
     * must be one line without control characters: a line break would start another header,
     * and Netty, under the event loop, refuses the others where the JDK sent them.
     */
    public static String headerValue(String name, String value) {
        if (!isToken(name)) {
            throw new IllegalArgumentException(shown(name) + " is not a header name: a name is "
                    + "one word, such as X-Api-Key");
        }
        if (name.equalsIgnoreCase("Content-Length")
                || name.equalsIgnoreCase("Transfer-Encoding")) {
            // The engines frame the body they send; a length of the caller's that did not
            // match it would split the request where the server reads the next one.
            throw new IllegalArgumentException("header \"" + name + "\" is set from the body "
                    + "by every engine: leave it out");
        }
        if (value == null) {
            throw new IllegalArgumentException("header \"" + name + "\" has no value");
        }
        int start = 0;
        int end = value.length();
        while (start < end && isSpace(value.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(value.charAt(end - 1))) {
            end--;
        }
        for (int i = start; i < end; i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException("header \"" + name + "\" has a line break "
                        + "in its value");
            }
            if (c < 0x20 && c != '\t' || c == 0x7F) {
                throw new IllegalArgumentException(String.format("header \"%s\" has a control "
                        + "character (0x%02X) in its value", name, (int) c));
            }
        }
        return value.substring(start, end);
    }

    /**
     * Sets header {@code name} in {@code headers} to {@code value} (as {@link #headerValue}
     * makes it), replacing one of the same name in any case: names are case-insensitive, so a
     * spec's {@code x-api-key} overrides {@code -H 'X-Api-Key: ...'}, where before the event
     * loop sent both and the JDK only one.
     */
    public static void put(Map<String, String> headers, String name, String value) {
        String checked = headerValue(name, value);
        headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
        headers.put(name, checked);
    }

    /**
     * Header {@code name} as a message names it: {@code header "X-Api-Key"} when it is a name,
     * and as {@link #shown} has it when it is not, as it may carry a token.
     */
    public static String named(String name) {
        String shown = isToken(name) ? "\"" + name + "\"" : shown(name);
        return shown.startsWith("\"") ? "header " + shown : shown;
    }

    /**
     * A bad name as a message may show it: whole only when at most its last character is not
     * a name's ("X-Trace:") and what comes before is short. A misplaced colon or equals sign
     * puts a token into the name ("X-Api-Key sk-live...", "X-Api-Key=sk-live...",
     * "Authorization:Bearer ..."), and control characters would reach a terminal raw. A first
     * word as short as header names are, followed by a space (or, in printable text, by any
     * character a name does not hold), is shown then: it tells the header among others. A
     * longer one may be the token itself, given as a name by mistake.
     */
    private static String shown(String name) {
        boolean printable = name.chars().allMatch(c -> c > 0x20 && c < 0x7F);
        int word = 0;
        while (word < name.length() && isToken(name.substring(word, word + 1))) {
            word++;
        }
        if (printable && word >= name.length() - 1 && word <= SHOWN_WORD) {
            return "\"" + name + "\"";
        }
        boolean separated = word < name.length() && (name.charAt(word) == ' ' || printable);
        return word == 0 || word > SHOWN_WORD || !separated ? "the header's name"
                : "the header's name starting \"" + name.substring(0, word) + "\"";
    }

    // The longest first word of a bad name a message shows: Content-Security-Policy's 23, and
    // short of most tokens (an API key, a JWT).
    private static final int SHOWN_WORD = 24;

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    // A loop, not a regular expression: this runs for every request of a list.
    private static boolean isToken(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean alphanumeric = c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
                    || c >= 'a' && c <= 'z';
            if (!alphanumeric && TCHAR_SYMBOLS.indexOf(c) < 0) {
                return false;
            }
        }
        return !text.isEmpty();
    }
}
