package dev.bulkfetch.engine;

import java.net.HttpURLConnection;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * The headers of a response the JDK's client read, in one pass: the {@code Content-Length} and
 * {@code Location} values for {@link SingleHeader}, and what Netty, under the event loop, calls
 * invalid. The JDK kept a header line without a colon under no name, which also ended a scan
 * by name there (so a later Location or Content-Length went unseen), and passed control
 * characters in a value on; both are a protocol error now, as on the event loop.
 */
final class JdkHeaders {

    final List<String> contentLengths = new ArrayList<>(1);
    final List<String> locations = new ArrayList<>(1);
    private final HttpURLConnection conn;
    // The index past the head's last line: the JDK adds a chunked body's trailer fields to
    // the same list as it reads them, and a body handler that looked at the headers as the
    // body ended saw them as headers on these engines, never on the event loop.
    private int end = Integer.MAX_VALUE;

    private JdkHeaders(HttpURLConnection conn) {
        this.conn = conn;
    }

    /**
     * Whether a line the JDK kept under no name has none Netty would find either: Netty ends a
     * name at a colon, space or tab ({@code Server : x} is a header to it, though the JDK loses
     * its name), and refuses only a line with none of them.
     */
    private static boolean noNameAtAll(String line) {
        return line.indexOf(':') < 0 && line.indexOf(' ') < 0 && line.indexOf('\t') < 0;
    }

    /** Reads {@code conn}'s response headers (after its status). */
    static JdkHeaders of(HttpURLConnection conn) throws ProtocolException {
        JdkHeaders headers = new JdkHeaders(conn);
        // By index: getHeaderFields() would copy every header into a new map. Index 0 is the
        // status line; a line without a colon has a value but no name.
        for (int i = 1; ; i++) {
            String name = conn.getHeaderFieldKey(i);
            String value;
            try {
                value = conn.getHeaderField(i);
            } catch (IllegalArgumentException e) {
                // A Set-Cookie the JVM's cookie handler, if a host installed one, cannot parse
                // (the JDK passes it on, and so does Netty).
                continue;
            }
            if (value == null) {
                headers.end = i;
                return headers;
            }
            if (name == null && noNameAtAll(value)) {
                // Not named: Netty, under the event loop, does not say which line it was.
                throw new ProtocolException(Wording.withoutColon(true));
            }
            if (name == null && value.startsWith(":")) {
                // ": v": the JDK keeps the line under no name, Netty refuses it (RFC 9110
                // has no empty field name).
                throw new ProtocolException(Wording.emptyName(true));
            }
            for (int c = 0; c < value.length(); c++) {
                char ch = value.charAt(c);
                if (ch < 0x20 && ch != '\t' || ch == 0x7F) {
                    throw new ProtocolException(Wording.controlCharacter(name, ch, true));
                }
            }
            if ("Content-Length".equalsIgnoreCase(name)) {
                headers.contentLengths.add(value);
            } else if ("Location".equalsIgnoreCase(name)) {
                headers.locations.add(value);
            }
        }
    }

    /**
     * The first value of header {@code name} in the head, or null, as Netty's {@code get}
     * gives it under the event loop: the JDK's {@code getHeaderField(name)} gives the last, so
     * a doubled Retry-After (1, then 4) held a retry 1 s on one engine and 4 s on the others.
     */
    String first(String name) {
        for (int i = 1; i < end; i++) {
            String value;
            try {
                value = conn.getHeaderField(i);
            } catch (IllegalArgumentException e) {
                continue;  // as in of(): a Set-Cookie a host's cookie handler cannot parse
            }
            if (value == null) {
                return null;
            }
            if (name.equalsIgnoreCase(conn.getHeaderFieldKey(i))) {
                return value;
            }
        }
        return null;
    }

    /**
     * Every value of header {@code name} in the head, in the order the response gave them,
     * as Netty's {@code getAll} gives them under the event loop (by index, as in
     * {@link #first}: the JDK's {@code getHeaderFields()} would copy every header into a new
     * map).
     */
    List<String> all(String name) {
        List<String> values = new ArrayList<>(2);
        for (int i = 1; i < end; i++) {
            String value;
            try {
                value = conn.getHeaderField(i);
            } catch (IllegalArgumentException e) {
                continue;  // as in of()
            }
            if (value == null) {
                break;
            }
            if (name.equalsIgnoreCase(conn.getHeaderFieldKey(i))) {
                values.add(value);
            }
        }
        return List.copyOf(values);
    }
}
