package dev.bulkfetch.engine;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.input.UrlPasswords;
import dev.bulkfetch.input.Urls;
import java.net.ProtocolException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a redirect makes of a request, the same on every engine (each follows redirects itself,
 * so that one policy holds):
 * <ul>
 *   <li>the Location is resolved against the URL redirected from, and must be http or https;
 *       what a URL may not hold (spaces, raw UTF-8, as some servers send) is made ASCII first,
 *       as browsers do ({@link Urls});</li>
 *   <li>a 303, or a 301 or 302 to anything but GET or HEAD, goes on as a bodiless GET, as
 *       browsers do; a HEAD stays a HEAD;</li>
 *   <li>the item's credentials ({@code Authorization}, {@code Proxy-Authorization},
 *       {@code Cookie}) and its {@code Host} go only to the origin (scheme, host and port)
 *       they were given for, as with curl: a redirect elsewhere must not hand an API token to
 *       whoever it names;</li>
 *   <li>credentials in the Location itself ({@code http://user:secret@host/}) are not used
 *       (neither client ever sent them): the URL followed is without them, and without a
 *       fragment, as sent ({@link SentUrls}).</li>
 * </ul>
 * A redirect's own body is read past, up to {@link #DRAINED_BYTES}, so its connection can be
 * reused; a longer one closes the connection instead, so no 3xx body can stretch a run.
 */
final class Redirects {

    /** Most of a redirect's body read past to keep its connection; more closes it. */
    static final int DRAINED_BYTES = 64 * 1024;

    private static final Set<String> FOR_THE_ORIGIN_ONLY =
            Set.of("authorization", "proxy-authorization", "cookie", "host");

    private Redirects() {
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * What a chain longer than {@code max} (at least 1) ends with, its {@code max}-th redirect
     * followed and the next, a {@code status}, not: that answer, as --max-redirects 0 has the
     * first, an {@code http} error that keeps its status (a redirect loop is the server's
     * answer, whole, not a broken one). Its body was read past, so none is the item's; its
     * message, bulkfetch's, names the limit, where the clients had their own words, in the
     * CLI's words and the library's, as the item's error reaches both.
     */
    static Outcome beyondTheLimit(int status, int max, long latencyNanos) {
        String message = "HTTP " + status + ": more than " + max
                + (max == 1 ? " redirect" : " redirects") + " (--max-redirects " + max
                + ", the library's maxRedirects)";
        return Outcome.answeredWith(status, FetchError.of(ErrorKind.HTTP, message), 0,
                latencyNanos);
    }

    /**
     * The request that follows {@code request}'s answer {@code status} with {@code location}.
     *
     * @throws ProtocolException for a Location that is not a URL, or not http or https
     */
    static FetchRequest follow(FetchRequest request, int status, String location)
            throws ProtocolException {
        URI from = request.url();
        URI to = resolve(from, location);
        String method = request.method();
        boolean asGet = !method.equals("HEAD") && (status == 303
                || ((status == 301 || status == 302) && !method.equals("GET")));
        boolean sameOrigin = sameOrigin(from, to);
        try {
            if (!asGet && sameOrigin) {
                return new FetchRequest(request.seq(), request.id(), to, request.method(),
                        request.headers(), request.body(), request.idIsNumber());
            }
            Map<String, String> headers = new LinkedHashMap<>(request.headers());
            headers.keySet().removeIf(name -> {
                String lower = name.toLowerCase(Locale.ROOT);
                return (!sameOrigin && FOR_THE_ORIGIN_ONLY.contains(lower)) || (asGet
                        && (lower.equals("content-type") || lower.equals("content-length")));
            });
            return asGet
                    ? new FetchRequest(request.seq(), request.id(), to, "GET", headers, null,
                            request.idIsNumber())
                    : new FetchRequest(request.seq(), request.id(), to, request.method(),
                            headers, request.body(), request.idIsNumber());
        } catch (IllegalArgumentException e) {
            // A target no request may have (a port out of range, an ambiguous IPv4 address):
            // the server's answer is at fault, as for a Location that is no URL.
            throw new ProtocolException("bad redirect: " + e.getMessage());
        }
    }

    private static URI resolve(URI from, String location) throws ProtocolException {
        URI to;
        try {
            String reference = Urls.toAscii(asUtf8(location.trim()));
            String base = from.toString();
            int fragment = base.indexOf('#');
            base = fragment < 0 ? base : base.substring(0, fragment);
            if (reference.isEmpty()) {
                // RFC 3986, 5.2.2: the same document. java.net.URI, on RFC 2396, made the
                // folder of it, as it made "?q=1" below.
                to = URI.create(base);
            } else if (reference.startsWith("?")) {
                // The same path with another query ("?page=2"), not the path's folder.
                int query = base.indexOf('?');
                to = URI.create((query < 0 ? base : base.substring(0, query)) + reference);
            } else {
                to = from.resolve(reference);
            }
            to = aboveTheRoot(to);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("bad redirect Location: "
                    + UrlPasswords.masked(location));
        }
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ProtocolException("redirect to a scheme that is not http or https: "
                    + UrlPasswords.masked(location));
        }
        if (to.getHost() == null) {
            throw new ProtocolException("bad redirect Location: "
                    + UrlPasswords.masked(location));
        }
        return SentUrls.of(to);
    }

    /**
     * {@code url} without the ".." segments that climb above the root ("/../g" is "/g", as RFC
     * 3986, 5.2.4, has it, and browsers and curl send): java.net.URI keeps them, and a server
     * answers that path with a 400 or another resource.
     */
    private static URI aboveTheRoot(URI url) {
        String path = url.getRawPath();
        if (path == null || !path.startsWith("/..")) {
            return url;
        }
        String climbed = path;
        while (climbed.startsWith("/../") || climbed.equals("/..")) {
            climbed = climbed.length() == 3 ? "/" : climbed.substring(3);
        }
        if (climbed.equals(path)) {
            return url;  // "/..x" is a name, not a climb
        }
        String query = url.getRawQuery();
        return URI.create(url.getScheme() + "://" + url.getRawAuthority() + climbed
                + (query == null ? "" : "?" + query));
    }

    /**
     * {@code value} as the server wrote it: both clients read a header's bytes as Latin-1, so
     * a raw UTF-8 {@code /café} arrives as {@code /cafÃ©}, which encoding as it stands would
     * turn into mojibake. Bytes that are valid UTF-8 are read as UTF-8, as browsers do; others
     * stay Latin-1.
     */
    static String asUtf8(String value) {
        boolean high = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0xFF) {
                return value;  // not a string of bytes: nothing to read again
            }
            high |= c >= 0x80;
        }
        if (!high) {
            return value;
        }
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(value.getBytes(
                            java.nio.charset.StandardCharsets.ISO_8859_1)))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException notUtf8) {
            return value;
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && Urls.port(a) == Urls.port(b);
    }
}
