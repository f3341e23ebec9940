package dev.bulkfetch.engine;

import java.net.ProtocolException;
import java.util.List;

/**
 * A response header that must have one value. Sent several times with different values, it is
 * a protocol error, the same on every engine: two {@code Content-Length}s make the body's end
 * unknowable (RFC 9112), two {@code Location}s name two places (browsers refuse both), and each
 * client would otherwise pick its own (the JDK the last, Netty the first).
 */
final class SingleHeader {

    private SingleHeader() {
    }

    /** The one value among {@code values} of header {@code name}, or {@code null} for none. */
    static String value(String name, List<String> values) throws ProtocolException {
        if (values == null || values.isEmpty()) {
            return null;
        }
        String first = values.get(0);
        for (String value : values) {
            if (!value.trim().equals(first.trim())) {
                throw new ProtocolException("invalid HTTP response: several different " + name
                        + " headers: " + String.join(", ", values));
            }
        }
        return first;
    }
}
