package dev.bulkfetch.input;

import java.net.IDN;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * URLs as people and servers write them, made into the ASCII that HTTP sends. A request line
 * may hold only ASCII, and every engine must send the same bytes for the same URL (the JDK's
 * {@code HttpURLConnection} would send raw UTF-8 where AHC sends it percent-encoded). So, as
 * browsers do: an internationalised host becomes its punycode form ({@code bücher.example} to
 * {@code xn--bcher-kva.example}), and in the path, query and fragment each character a URL may
 * not hold (non-ASCII, a space, {@code "<>^`{|}[]}) is percent-encoded as UTF-8. What is already
 * valid is left alone, {@code %} escapes included.
 *
 * <p>The authority never changes meaning: apart from converting a non-ASCII host (or user
 * name) it is left as written, so a character that could move the host elsewhere (a
 * {@code \}, a full-width {@code ／}, {@code ＠} or {@code ：}) still makes the URL invalid, as
 * it did before and as browsers have it. Hosts are converted with the JDK's IDNA 2003 rules;
 * the few characters where those differ from browsers' (ß, ς, the zero-width joiners) are
 * refused rather than sent to another domain.
 */
public final class Urls {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    // Bit c of word c / 64 is set when ASCII character c may stand in a URL as it is: every
    // printable but the space and "<>^`{|}; the backslash counts as legal (see encodeIllegal).
    // A table, as this runs on every URL of a list.
    private static final long[] LEGAL = legal();
    // Where IDNA 2003 (the JDK's) and browsers' UTS 46 give different domains.
    private static final Set<Integer> DEVIATIONS = Set.of(0xDF, 0x3C2, 0x200C, 0x200D);

    private Urls() {
    }

    /**
     * Why {@code host}, the host part of an authority that {@code java.net.URI} read no host
     * from, is none, for a message that begins "'HOST' is not a host name or an IP address".
     * With only letters, digits, '-' and '.' it is the shape (RFC 2396's): {@code 127.1} or
     * {@code foo.123} look allowed, and a list of the allowed characters misled.
     */
    public static String whyNoHost(String host) {
        boolean allowed = host.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                || c >= '0' && c <= '9' || c == '-' || c == '.');
        return allowed ? "an IPv4 address is four numbers, and a name's parts begin and end with"
                + " a letter or a digit, its last beginning with a letter"
                : "letters, digits, '-' and '.' only";
    }

    /**
     * Why {@code host}, an IPv4 address in a form other than plain decimal numbers (a part
     * with a leading zero, {@code 0177.0.0.1}, or in hexadecimal, {@code 0x7f000001}), is not
     * sent, or null for any other host. Such an address goes to another host than the one
     * curl, browsers and the C library read (to them a leading 0 is octal and 0x hexadecimal:
     * both 127.0.0.1; to the JDK 0177 is decimal, 177.0.0.1, a public address, and 0x7f000001
     * a name to look up), and {@code --deny-private} checks the one the JDK reads.
     */
    public static String ambiguousIpv4(String host) {
        // Part by part, without splitting: this runs for every request (twice for a list's).
        boolean ambiguous = false;
        for (int start = 0; start <= host.length(); ) {
            int end = host.indexOf('.', start);
            end = end < 0 ? host.length() : end;
            boolean hex = end - start > 1 && host.charAt(start) == '0'
                    && (host.charAt(start + 1) == 'x' || host.charAt(start + 1) == 'X');
            for (int i = hex ? start + 2 : start; i < end; i++) {
                char c = host.charAt(i);
                boolean digit = c >= '0' && c <= '9' || hex && (c >= 'a' && c <= 'f'
                        || c >= 'A' && c <= 'F');
                if (!digit) {
                    return null;  // a name, or IPv6
                }
            }
            ambiguous |= hex || end - start > 1 && host.charAt(start) == '0';
            start = end + 1;
        }
        return ambiguous ? "'" + host + "' is an IPv4 address with a leading zero or in"
                + " hexadecimal, which tools read differently (curl and browsers as octal or"
                + " hexadecimal, the JDK as decimal or a name): write each part in decimal"
                + " without a leading zero" : null;
    }

    /** {@code text} with an internationalised host in punycode and illegal characters encoded. */
    public static String toAscii(String text) {
        String encoded = encodeIllegal(text);
        int start = encoded == text ? -1 : authorityStart(text); // the same: the common case
        if (start < 0) {
            return encoded;
        }
        int end = start;
        while (end < text.length() && "/?#\\".indexOf(text.charAt(end)) < 0) {
            end++;
        }
        String authority = text.substring(start, end);
        return text.substring(0, start)
                + (isAscii(authority) ? authority : asciiAuthority(authority))
                + encodeIllegal(text.substring(end));
    }

    /**
     * {@code url} as {@link #toAscii(String)} makes it; itself when it is ASCII already (a URI
     * holds no other illegal character: only non-ASCII ones pass its parser), or when its
     * ASCII form is no URI (it then fails where it is sent, as it would have).
     */
    public static URI toAscii(URI url) {
        String text = url.toString();
        if (isAscii(text)) {
            return url;
        }
        try {
            return new URI(toAscii(text));
        } catch (java.net.URISyntaxException e) {
            return url;
        }
    }

    /** Where the authority begins (after {@code scheme://} or a leading {@code //}), or -1. */
    private static int authorityStart(String text) {
        if (text.startsWith("//")) {
            return 2;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean schemeChar = Character.isLetter(c) && c < 0x80
                    || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.');
            if (!schemeChar) {
                return i > 0 && text.startsWith("://", i) ? i + 3 : -1;
            }
        }
        return -1;
    }

    /** {@code userinfo@host:port}, not ASCII: the host in punycode, a user name encoded. */
    private static String asciiAuthority(String authority) {
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? "" : encodeIllegal(authority.substring(0, at + 1));
        String hostPort = authority.substring(at + 1);
        int colon = hostPort.lastIndexOf(':');
        boolean port = colon >= 0 && hostPort.substring(colon + 1).chars()
                .allMatch(c -> c >= '0' && c <= '9');
        String host = port ? hostPort.substring(0, colon) : hostPort;
        return userInfo + punycode(host) + (port ? hostPort.substring(colon) : "");
    }

    /**
     * {@code host} in punycode, or as written when it is no valid international name: the URL
     * then has no usable host and is refused as one.
     */
    private static String punycode(String host) {
        if (isAscii(host) || host.codePoints().anyMatch(DEVIATIONS::contains)) {
            return host;
        }
        try {
            String ascii = IDN.toASCII(host, IDN.USE_STD3_ASCII_RULES);
            return ascii.matches("[A-Za-z0-9.-]+") ? ascii : host;
        } catch (IllegalArgumentException notAName) {
            return host;
        }
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code text} with each character a URI may not hold percent-encoded as UTF-8, except
     * {@code \}: browsers read that as {@code /}, so it is left to make the URL invalid rather
     * than be sent as something else.
     */
    static String encodeIllegal(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean legal = c < 0x80 && (LEGAL[c >>> 6] >>> (c & 63) & 1) != 0;
            if (legal && out == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (legal) {
                out.append(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                appendUtf8(out, text.substring(i, i + 2));
                i++;
            } else if (Character.isSurrogate(c)) {
                out.append("%EF%BF%BD"); // a lone half of a pair: the replacement character
            } else {
                appendUtf8(out, String.valueOf(c));
            }
        }
        return out == null ? text : out.toString();
    }

    private static long[] legal() {
        long[] words = new long[2];
        for (char c = '!'; c < 0x7f; c++) {
            // [ and ] only frame an IPv6 host, which the authority keeps as written; in a path
            // java.net.URI refused them, where a query's went through.
            if ("\"<>^`{|}[]".indexOf(c) < 0) {
                words[c >>> 6] |= 1L << (c & 63);
            }
        }
        return words;
    }

    private static void appendUtf8(StringBuilder out, String chars) {
        for (byte b : chars.getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
    }

    /** The port {@code url} connects to: its own, or its scheme's (443 for https, else 80). */
    public static int port(URI url) {
        if (url.getPort() != -1) {
            return url.getPort();
        }
        return url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }
}
