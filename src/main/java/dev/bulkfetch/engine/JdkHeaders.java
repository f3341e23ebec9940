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

    private JdkHeaders() {
    }

    /** Reads {@code conn}'s response headers (after its status). */
    static JdkHeaders of(HttpURLConnection conn) throws ProtocolException {
        JdkHeaders headers = new JdkHeaders();
        // By index: getHeaderFields() would copy every header into a new map. Index 0 is the
        // status line; a line without a colon has a value but no name.
        String value;
        for (int i = 1; (value = conn.getHeaderField(i)) != null; i++) {
            String name = conn.getHeaderFieldKey(i);
            if (name == null) {
                throw new ProtocolException("invalid HTTP response: a header line without a "
                        + "colon: " + value);
            }
            for (int c = 0; c < value.length(); c++) {
                char ch = value.charAt(c);
                if (ch < 0x20 && ch != '\t' || ch == 0x7F) {
                    throw new ProtocolException(String.format("invalid HTTP response: header %s "
                            + "has a control character (0x%02X)", name, (int) ch));
                }
            }
            if (name.equalsIgnoreCase("Content-Length")) {
                headers.contentLengths.add(value);
            } else if (name.equalsIgnoreCase("Location")) {
                headers.locations.add(value);
            }
        }
        return headers;
    }
}
