package dev.bulkfetch.input;

import java.net.IDN;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * URLs as people and servers write them, made into the ASCII that HTTP sends. A request line
 * may hold only ASCII, and every engine must send the same bytes for the same URL (the JDK's
 * {@code HttpURLConnection} would send raw UTF-8 where AHC sends it percent-encoded). So, as
 * browsers do: an internationalised host becomes its punycode form ({@code bücher.example} to
 * {@code xn--bcher-kva.example}), and each other character a URL may not hold (non-ASCII, a
 * space, {@code "<>\^`{|}}) is percent-encoded as UTF-8. What is already valid is left alone,
 * {@code %} escapes included.
 */
public final class Urls {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Urls() {
    }

    /** {@code text} with an internationalised host in punycode and illegal characters encoded. */
    public static String toAscii(String text) {
        if (isAscii(text)) {
            return encodeIllegal(text);
        }
        int start = authorityStart(text);
        if (start < 0) {
            return encodeIllegal(text);
        }
        int end = start;
        while (end < text.length() && "/?#".indexOf(text.charAt(end)) < 0) {
            end++;
        }
        return encodeIllegal(text.substring(0, start))
                + asciiAuthority(text.substring(start, end))
                + encodeIllegal(text.substring(end));
    }

    /**
     * {@code url} as {@link #toAscii(String)} makes it; itself when it is ASCII already (a URI
     * holds no other illegal character: only non-ASCII ones pass its parser).
     */
    public static URI toAscii(URI url) {
        String text = url.toString();
        return isAscii(text) ? url : URI.create(toAscii(text));
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

    /** {@code userinfo@host:port} with the host, when it is not ASCII, in punycode. */
    private static String asciiAuthority(String authority) {
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? "" : encodeIllegal(authority.substring(0, at + 1));
        String hostPort = authority.substring(at + 1);
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        String port = colon < 0 ? "" : hostPort.substring(colon);
        if (!isAscii(host)) {
            try {
                host = IDN.toASCII(host);
            } catch (IllegalArgumentException notAName) {
                // Left encoded: the URL then has no usable host, and says so where it is read.
                host = encodeIllegal(host);
            }
        }
        return userInfo + host + encodeIllegal(port);
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** {@code text} with each character a URI may not hold percent-encoded as UTF-8. */
    static String encodeIllegal(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean legal = c > ' ' && c < 0x7f && "\"<>\\^`{|}".indexOf(c) < 0;
            if (legal && out == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (legal) {
                out.append(c);
                continue;
            }
            int end = Character.isHighSurrogate(c) && i + 1 < text.length() ? i + 2 : i + 1;
            for (byte b : text.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
            i = end - 1;
        }
        return out == null ? text : out.toString();
    }
}
