package dev.bulkfetch.input;

import java.util.Locale;

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
     * and JSON specs mean it), or an error when it is not one word.
     */
    public static String method(String method) {
        if (!isToken(method)) {
            throw new IllegalArgumentException("'" + method + "' is not an HTTP method: a word "
                    + "like POST");
        }
        return method.toUpperCase(Locale.ROOT);
    }

    /**
     * Checks that {@code name} is a header name, not one that frames the body
     * ({@code Content-Length}, {@code Transfer-Encoding}), and {@code value} a value on one
     * line: a line break in a value would start another header, which no engine may send.
     */
    public static void checkHeader(String name, String value) {
        if (!isToken(name)) {
            throw new IllegalArgumentException("header name \"" + name + "\" is not a valid HTTP "
                    + "header name");
        }
        if (name.equalsIgnoreCase("Content-Length")
                || name.equalsIgnoreCase("Transfer-Encoding")) {
            // The engines frame the body they send; a length of the caller's that did not
            // match it would split the request where the server reads the next one.
            throw new IllegalArgumentException("header \"" + name + "\" is set from the body "
                    + "by every engine: leave it out");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                throw new IllegalArgumentException("header \"" + name + "\" has a line break or "
                        + "NUL in its value");
            }
        }
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
