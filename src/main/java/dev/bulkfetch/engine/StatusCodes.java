package dev.bulkfetch.engine;

import java.net.ProtocolException;

/**
 * The status codes every engine takes for an answer: three ASCII digits (RFC 9112, 4), 100 or
 * more. Codes from 600 to 999 stay answers: RFC 9110 (15) has a client read them as a server
 * error, not drop the response.
 *
 * <p>The status line is checked as it came, not the number the clients make of it: both parse
 * the code with {@code Integer.parseInt}, which reads a {@code +200} or a {@code 0200} as 200.
 * The line is read as the JDK's engines read it: the code runs from the first space to the
 * next or to the line's end, a tab is a space, and trailing whitespace is dropped. Netty splits
 * at any run of whitespace (RFC 9112 allows it), so the event loop alone took
 * {@code HTTP/1.1  200} (two spaces) for 200; read this way, every engine refuses it. The event
 * loop sees the line through {@link StatusLines}.
 *
 * <p>One case never gets here on the JDK's engines: its client finds interim responses by the
 * first three digits alone, so it takes a 1000 (any code of four digits or more that starts
 * with 1, but 101x) for an interim response, drops it unseen and waits for another, to the
 * idle timeout, or, when the server closes, sends the request again and reads a reset; a 101x
 * it refuses as an unasked-for 101. There is no hook to see it first (see {@link JdkHead}).
 */
final class StatusCodes {

    private StatusCodes() {
    }

    /**
     * Refuses {@code code}, parsed from the status line {@code line} (null if none came),
     * unless it is three digits from 100 to 999 in the line too.
     */
    static void check(int code, String line) throws ProtocolException {
        String problem = code < 100 || code > 999 ? notThreeDigits(line) : problem(line);
        if (problem != null) {
            throw new ProtocolException("invalid HTTP response: " + problem);
        }
    }

    /**
     * Why the status line {@code line} (null if none came) is refused, or null if its code is
     * three ASCII digits from 100 to 999.
     */
    static String problem(String line) {
        if (line == null) {
            return notThreeDigits(null);
        }
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) <= ' ') {
            end--;
        }
        int code = 0;
        while (code < end && !space(line.charAt(code))) {
            code++;
        }
        code++;  // past the space, or past the end when there is none
        int after = code + 3;
        boolean threeDigits = after <= end
                && line.charAt(code) >= '1' && digit(line.charAt(code))
                && digit(line.charAt(code + 1)) && digit(line.charAt(code + 2))
                && (after == end || space(line.charAt(after)));
        return threeDigits ? null : notThreeDigits(line);
    }

    /** A space as the JDK's client reads the status line: a tab is one too. */
    private static boolean space(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Why {@code line} is refused, its code not three digits, or (null) that none came. */
    static String notThreeDigits(String line) {
        return line == null ? Wording.NO_STATUS_LINE
                : "the status code is not three digits from 100 to 999: " + line;
    }
}
