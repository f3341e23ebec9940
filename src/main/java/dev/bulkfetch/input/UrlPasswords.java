package dev.bulkfetch.output;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Finds the password a URL carries, to keep it out of records, as Go's {@code URL.Redacted}
 * does: records get shared, and a secret given as an {@code Authorization} header never shows
 * in them, so the same secret in the URL must not either. The user name stays, to tell items
 * apart. Also for a line rejected as input, which may be no URL at all: there everything from
 * the first colon after the scheme's to the last {@code @} goes, a password with a raw
 * {@code /} (which ends the host part) too, and any piece of it that the error quotes.
 */
final class UrlPasswords {

    static final String MASK = "xxxxx";

    private UrlPasswords() {
    }

    /** The raw text of {@code url}'s password, or null: none. Cheap without an {@code @}. */
    static String find(String url) {
        if (url == null || url.indexOf('@') < 0) {
            return null;
        }
        try {
            URI uri = new URI(url);
            // No host: an authority that is no server's (ann:s3 of ann:s3/cret@host), read
            // as text below.
            if (uri.getHost() != null) {
                String info = uri.getRawUserInfo();
                if (info == null) {
                    return null;
                }
                int colon = info.indexOf(':');
                if (colon < 0) {
                    // Sent as user:password all the same, decoded (Credentials).
                    int encoded = info.toUpperCase(Locale.ROOT).indexOf("%3A");
                    colon = encoded < 0 ? -1 : encoded + 2;
                }
                return colon < 0 || colon == info.length() - 1 ? null
                        : info.substring(colon + 1);
            }
        } catch (URISyntaxException e) {
            // A line rejected as input: read as text below.
        }
        int scheme = url.indexOf("://");
        int from = scheme >= 0 ? scheme + 3 : url.indexOf(':') + 1;
        int at = url.lastIndexOf('@');
        int colon = url.indexOf(':', from);
        return colon < 0 || colon + 1 >= at ? null : url.substring(colon + 1, at);
    }

    /** {@code url} with {@code password} (from {@link #find}) shown as {@link #MASK}. */
    static String mask(String url, String password) {
        int at = url.indexOf(password + "@");
        return at < 0 ? url : url.substring(0, at) + MASK + url.substring(at + password.length());
    }

    /** {@code message} with any piece of {@code password} it quotes shown as {@link #MASK}. */
    static String scrub(String message, String password) {
        String scrubbed = message;
        for (String piece : password.split("[/?#]")) {
            if (piece.length() >= 2) {
                scrubbed = scrubbed.replace(piece, MASK);
            }
        }
        return scrubbed;
    }
}
