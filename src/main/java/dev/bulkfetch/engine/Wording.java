package dev.bulkfetch.engine;

import dev.bulkfetch.ErrorKind;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's fault in bulkfetch's own words, the same on every engine, where each client has
 * its own: a bad chunk size is Netty's "Invalid character in chunk size", "Chunk size
 * overflow: -1" or a NumberFormatException with no message under the event loop, and the
 * JDK's "Bogus chunk size" under the others; a body cut short was the event loop's "the
 * connection closed in the middle of it" and the JDK's "Premature EOF". As {@link Timeouts}
 * does for the timeouts, this turns each client's words into one text; the kind of the error
 * is decided elsewhere ({@link Failures}) and stays as it is.
 *
 * <p>Where one client knows more of a fault than the other, the words keep what both know:
 * Netty does not quote a header line without a colon, so neither engine does.
 *
 * <p>Three ways in: {@link #of} for what reaches {@link Failures} in a client's words (the
 * JDK's, and the resets and closes of both), {@link #ofDecoder} for what Netty's codec
 * refused under the event loop (read there, where the failed part of the response is known,
 * as AHC keeps only the innermost cause, which for a bad Content-Length is Java's "For input
 * string"), and {@link #cutOff} for a body its connection's close cut short.
 */
final class Wording {

    private static final String INVALID = "invalid HTTP response: ";

    static final String CLOSED_UNANSWERED = "the server closed the connection without answering";
    static final String RESET = "the connection was reset before the response was complete";
    // Netty fails a handshake whose connection went the same for a close and a reset; the
    // JDK's said "Remote host terminated the handshake" of a close.
    static final String HANDSHAKE_ENDED =
            "the connection was closed or reset during the TLS handshake";
    // A server that answered the client's hello in plain HTTP (a 400, from Jetty or Python's
    // http.server): Netty said "not an SSL/TLS record: " and the answer in hex, the JDK
    // "Unsupported or unrecognized SSL message".
    static final String NOT_TLS = "the server did not answer in TLS (is it http:// on that port?)";
    static final String BAD_CHUNK_SIZE = INVALID + "a bad chunk size";
    static final String LONG_CHUNK_LINE = INVALID + "a chunk's size line is too long";
    static final String UNASKED_101 = INVALID + "an unasked-for 101 Switching Protocols";
    // The JDK reads a response that does not begin "HTTP/1." as a body without a head; Netty
    // refuses the first word as a version (HTTP/2, or none at all).
    static final String NO_STATUS_LINE = "the response does not begin with an HTTP/1.x status line";

    // The JDK's words (sun.net.www.http), whole, and bulkfetch's for each.
    private static final Map<String, String> JDK = Map.of(
            "Bogus chunk size", BAD_CHUNK_SIZE,
            // Chunk data that runs past its size: a bad chunk size, as the size was.
            "missing CR", BAD_CHUNK_SIZE,
            "missing LF", BAD_CHUNK_SIZE,
            "Chunk header too long", LONG_CHUNK_LINE,
            "Malformed tailer - format should be key:value", withoutColon(false),
            "Unexpected 101 response from server", UNASKED_101,
            // Not to be met (see cutOff), but never in the JDK's words.
            "Premature EOF", INVALID + "the connection closed before the body's end");

    // Netty 4.2's for chunk data that runs past its size, the JDK's "missing CR" (Netty 4.1
    // read the excess as the next size line, a bad chunk size to it).
    private static final String CHUNK_NOT_ENDED =
            "Chunk data sections must be terminated by a CR LF octet pair";

    private static final Pattern JDK_HEAD_SIZE =
            Pattern.compile("Header size too big: \\d+ > (\\d+)");
    private static final Pattern HEAD_SIZE =
            Pattern.compile("(?:HTTP header|An HTTP line) is larger than (\\d+) bytes\\.?");
    private static final Pattern INPUT_STRING = Pattern.compile("For input string: \"(.*)\"");
    // Netty's for a header's value it refuses, the reason in its cause.
    private static final Pattern VALIDATION =
            Pattern.compile("Validation failed for header '(.*)'");
    private static final Pattern CONTROL =
            Pattern.compile("a header value contains prohibited character 0x(\\p{XDigit}+).*");
    private static final Pattern NAME_CHARACTER = Pattern.compile("a header name can only "
            + "contain .* invalid character 0x(\\p{XDigit}+) at index \\d+ of header '(.*)'\\.");

    private Wording() {
    }

    /**
     * bulkfetch's words for an error of {@code kind} that its client put as {@code message}
     * (its class name taken off), or null to keep the message as it is.
     */
    static String of(ErrorKind kind, String message) {
        if (kind == ErrorKind.RESET) {
            return switch (message) {
                // Netty's and the JDK's.
                case "Connection reset by peer", "Connection reset" -> RESET;
                // AHC's, and the JDK's for a connection that closed before 8 bytes came.
                case "Remotely closed", "Unexpected end of file from server" ->
                        CLOSED_UNANSWERED;
                default -> null;
            };
        }
        if (kind != ErrorKind.PROTOCOL) {
            return null;
        }
        Matcher tooBig = JDK_HEAD_SIZE.matcher(message);
        return tooBig.matches() ? headTooLarge(tooBig.group(1)) : JDK.get(message);
    }

    /**
     * bulkfetch's words for what Netty's codec refused ({@code cause}), in the head of the
     * response ({@code inHead}) or after it, in its chunks or trailers; null for a refusal
     * not known here, which keeps its own words.
     */
    static String ofDecoder(Throwable cause, boolean inHead) {
        String message = String.valueOf(cause.getMessage());
        if (cause instanceof java.net.ProtocolException) {
            // bulkfetch's own check of the status line (see StatusLines), which kept the
            // line's carriage return.
            message = message.stripTrailing();
            return message.startsWith(INVALID) ? message : INVALID + message;
        }
        if (cause instanceof NumberFormatException) {
            Matcher code = INPUT_STRING.matcher(message);
            // In the head only the status code is parsed bare: a Content-Length comes in an
            // IllegalArgumentException of Netty's.
            return !inHead ? BAD_CHUNK_SIZE : code.matches()
                    ? INVALID + StatusCodes.notThreeDigits(code.group(1)) : null;
        }
        if (!inHead && message.equals(CHUNK_NOT_ENDED)) {
            return BAD_CHUNK_SIZE;
        }
        Matcher size = HEAD_SIZE.matcher(message);
        if (size.matches()) {
            return inHead ? headTooLarge(size.group(1))
                    : message.startsWith("An HTTP line") ? LONG_CHUNK_LINE
                    : INVALID + "the trailers are larger than " + size.group(1) + " bytes";
        }
        return inHead ? ofHead(cause, message) : ofHeaderLine(cause, message, false);
    }

    private static String ofHead(Throwable cause, String message) {
        if (message.startsWith("Content-Length value is not a number: ")) {
            return contentLength(message.substring(message.indexOf(": ") + 2));
        }
        if (message.startsWith("Multiple Content-Length values found: [")
                && message.endsWith("]")) {
            return contentLength(message.substring(message.indexOf('[') + 1,
                    message.length() - 1));
        }
        if (message.startsWith("invalid version format: ")
                || message.startsWith("text is empty (possibly HTTP/0.9)")
                || message.startsWith("invalid character in protocolName")
                || message.startsWith("Invalid version number")) {
            return INVALID + NO_STATUS_LINE;
        }
        return ofHeaderLine(cause, message, true);
    }

    /** A header line's fault, in the head or among the trailers. */
    private static String ofHeaderLine(Throwable cause, String message, boolean inHead) {
        String what = inHead ? "header" : "trailer";
        if (message.equals("No colon found")) {
            return withoutColon(inHead);
        }
        if (message.startsWith("empty headers are not allowed")) {
            return emptyName(inHead);
        }
        Matcher failed = VALIDATION.matcher(message);
        Matcher control = CONTROL.matcher(failed.matches() && cause.getCause() != null
                ? String.valueOf(cause.getCause().getMessage()) : "");
        if (control.matches()) {
            return controlCharacter(failed.group(1), Integer.parseInt(control.group(1), 16),
                    inHead);
        }
        Matcher name = NAME_CHARACTER.matcher(message);
        if (name.matches()) {
            return INVALID + what + " " + name.group(2) + " has a character not allowed in "
                    + "a name (0x" + hex(Integer.parseInt(name.group(1), 16)) + ")";
        }
        return null;
    }

    /** A header (a trailer, not {@code inHead}) whose name is empty: ": v". */
    static String emptyName(boolean inHead) {
        return INVALID + "a " + (inHead ? "header" : "trailer") + " with an empty name";
    }

    /** A header line with no colon, space or tab: no name to be found in it. */
    static String withoutColon(boolean inHead) {
        return INVALID + "a " + (inHead ? "header" : "trailer") + " line without a colon";
    }

    /**
     * The value of header {@code name} (a trailer, not {@code inHead}) has the control
     * character {@code c}.
     */
    static String controlCharacter(String name, int c, boolean inHead) {
        return INVALID + (inHead ? "header " : "trailer ") + name
                + " has a control character (0x" + hex(c) + ")";
    }

    /** Content-Length {@code values} (as they came, joined by ", ") are not one length. */
    static String contentLength(String values) {
        return INVALID + "Content-Length " + values + " is not one length";
    }

    /**
     * The connection closed after {@code bytes} of a body that declared {@code declared} (-1:
     * none, which a close cuts short only when chunked).
     */
    static String cutOff(long bytes, long declared) {
        return declared >= 0
                ? INVALID + "the connection closed after " + bytes + " of the " + declared
                        + " bytes the Content-Length declares"
                : INVALID + "the connection closed after " + bytes + " bytes of a chunked "
                        + "body, before its end";
    }

    /** Whether the JDK's stream said that its connection closed in the middle of a body. */
    static boolean isCutOff(IOException e) {
        return e.getClass() == IOException.class && "Premature EOF".equals(e.getMessage());
    }

    /** A head past {@code limit} bytes, in the words every engine gives it. */
    static String headTooLarge(String limit) {
        return INVALID + "the status line and headers are larger than " + limit + " bytes";
    }

    private static String hex(int c) {
        return String.format("%02X", c);
    }
}
