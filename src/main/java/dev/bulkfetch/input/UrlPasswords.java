package dev.bulkfetch.input;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Finds the password a URL carries, to keep it out of records, as Go's {@code URL.Redacted}
 * does: records get shared, and a secret given as an {@code Authorization} header never shows
 * in them, so the same secret in the URL must not either. The user name stays, to tell items
 * apart. Also for a line rejected as input, which may be no URL at all, read as text: a
 * password with a raw {@code /} (which ends the host part) included, but not a port before a
 * path with an {@code @} in it.
 */
public final class UrlPasswords {

    /** What a password shows as. */
    public static final String MASK = "xxxxx";

    private UrlPasswords() {
    }

    /** The raw text of {@code url}'s password, or null: none. Cheap without an {@code @}. */
    public static String find(String url) {
        if (url == null || url.indexOf('@') < 0) {
            return null;
        }
        try {
            URI uri = new URI(url);
            // No host: an authority that is no server's (ann:s3 of ann:s3/cret@host), read
            // as text below.
            if (uri.getHost() != null) {
                String info = uri.getRawUserInfo();
                int colon = info == null ? -1 : firstColon(info, 0, info.length());
                return colon < 0 || colon + 1 >= info.length() ? null : info.substring(colon + 1);
            }
        } catch (URISyntaxException e) {
            // A line rejected as input: read as text below.
        }
        int scheme = url.indexOf("://");
        int start = scheme >= 0 ? scheme + 3 : 0;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        int at = url.lastIndexOf('@', end - 1);
        if (at >= start) {
            int colon = firstColon(url, start, at);
            return colon < 0 || colon + 1 >= at ? null : url.substring(colon + 1, at);
        }
        // No @ before the first / ? or #: one of them may be in the password, if what follows
        // the colon up to it is no port.
        int colon = firstColon(url, start, end);
        if (colon < 0 || url.substring(colon + 1, end).chars().allMatch(Character::isDigit)) {
            return null;
        }
        int later = url.indexOf('@', end);
        return later < 0 ? null : url.substring(colon + 1, later);
    }

    /**
     * Where the password starts, less one, in {@code text} between {@code from} and
     * {@code to}: after the first colon, raw or percent-encoded, as the credentials sent split
     * the decoded user info at its first colon. -1 for none.
     */
    private static int firstColon(String text, int from, int to) {
        int raw = text.indexOf(':', from);
        int encoded = text.toUpperCase(Locale.ROOT).indexOf("%3A", from);
        int colon = raw < 0 || raw >= to ? -1 : raw;
        if (encoded >= 0 && encoded < to && (colon < 0 || encoded < colon)) {
            colon = encoded + 2;
        }
        return colon;
    }

    /** {@code url} with {@code password} (from {@link #find}) shown as {@link #MASK}. */
    public static String mask(String url, String password) {
        int at = url.indexOf(password + "@");
        return at < 0 ? url : url.substring(0, at) + MASK + url.substring(at + password.length());
    }

    /** {@code url} with its password, if any, shown as {@link #MASK}. */
    public static String masked(String url) {
        String password = find(url);
        return password == null ? url : mask(url, password);
    }

    /**
     * An input error's {@code message} with the password, where it quotes the URL (the
     * password before its {@code @}) or a piece of it ({@code port 's3'} of {@code
     * ann:s3/cret@host}), shown as {@link #MASK}. Only there: a password of a letter or two,
     * replaced wherever it stood, turned the message's own words to nonsense ("a spacxxxxx").
     */
    public static String scrub(String message, String password) {
        String scrubbed = message.replace(password + "@", MASK + "@");
        for (String piece : password.split("[/?#]")) {
            if (!piece.isEmpty()) {
                scrubbed = scrubbed.replace("'" + piece + "'", "'" + MASK + "'");
            }
        }
        return scrubbed;
    }
}
