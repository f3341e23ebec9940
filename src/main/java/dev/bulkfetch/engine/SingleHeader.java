package dev.bulkfetch.engine;

import java.net.ProtocolException;
import java.util.List;

/**
 * A response header that must have one value. Sent several times with different values, it is
 * a protocol error, the same on every engine: two {@code Content-Length}s make the body's end
 * unknowable (RFC 9112), two {@code Location}s name two places (browsers refuse both), and each
 * client would otherwise pick its own (the JDK the last, Netty the first).
 *
 * <p>{@code Content-Length} is stricter, as Netty (under the event loop) and RFC 9112 have it:
 * one value of digits only. The JDK read {@code -1}, {@code 2, 2} or a number past a long as no
 * length and {@code +2} as 2, and went on; the event loop called each a protocol error.
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

    /**
     * The body's length as {@code values} of {@code Content-Length} declare it, or -1 for none.
     *
     * @throws ProtocolException for several values (the same twice too) or one not a number
     */
    static long contentLength(List<String> values) throws ProtocolException {
        if (values == null || values.isEmpty()) {
            return -1;
        }
        String value = values.get(0).trim();
        boolean digits = values.size() == 1 && !value.isEmpty();
        for (int i = 0; digits && i < value.length(); i++) {
            digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
        }
        try {
            if (digits) {
                return Long.parseLong(value);
            }
        } catch (NumberFormatException e) {
            // Past a long: no length either.
        }
        throw new ProtocolException(Wording.contentLength(String.join(", ", values)));
    }
}
