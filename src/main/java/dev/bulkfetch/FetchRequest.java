package dev.bulkfetch;

import dev.bulkfetch.input.HttpSyntax;
import dev.bulkfetch.input.UrlPasswords;
import dev.bulkfetch.input.Urls;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One request to send, with its position in the input: immutable, but for the body's array,
 * which is held as given rather than copied, as a body may be megabytes and a request is made
 * again on its way (a redirect, a retry): it must not change once the request is made.
 *
 * @param seq 1-based position in the input (the line number for URL lists)
 * @param id the caller's id for the item; {@code seq} as a string when none was given
 * @param url an absolute http or https URL with a host (an IPv4 address without leading zeros),
 *     and a port, if it names one, from 1 to 65535; one with characters HTTP cannot carry
 *     raw (UTF-8, an internationalised host) is kept in its ASCII form, as browsers send it
 * @param method the HTTP method, one word; kept upper case ({@code get} is GET)
 * @param headers request headers, in the order given, each value without the spaces around
 *     it; a value may not hold a line break or another control character but a tab, and no
 *     name may be given twice in any case
 * @param body the request body, or {@code null} for none; held as given, not copied
 * @param idIsNumber whether {@code id} is a whole number to be written as one, unquoted, in
 *     the record (a JSON Lines spec's {@code "id": 7}), rather than as a string; its text
 *     is then that number as given, digits with an optional minus sign
 */
public record FetchRequest(long seq, String id, URI url, String method, Map<String, String> headers,
                           byte[] body, boolean idIsNumber) {

    /**
     * Checks the parts (seq from 1, a URL, a method, headers a server can read); no id means the
     * seq; headers are copied.
     *
     * @throws IllegalArgumentException when a part cannot be sent, saying which
     */
    public FetchRequest {
        if (id == null) {
            idIsNumber = false;  // no id: seq as a string, whatever the flag says
        } else if (idIsNumber) {
            WholeNumbers.check(id);  // loaded only for such an id, as URL lists have none
        }
        if (seq < 1) {
            throw new IllegalArgumentException("seq < 1: " + seq);
        }
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(method, "method");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            // Sent anyway, it failed as the item's protocol error, with an engine's own words.
            throw new IllegalArgumentException("url must be an absolute http or https URL: "
                    + url);
        }
        // Every engine must send the same bytes, and HTTP carries only ASCII: raw UTF-8 or an
        // internationalised host is made ASCII here, once, as browsers do.
        url = Urls.toAscii(url);
        if (url.getHost() == null) {
            // java.net.URI reads no host, and no error, from an authority that is no host
            // name (my_host.example: an underscore): say what is there.
            String authority = url.getRawAuthority();
            String host = authority == null ? ""
                    : authority.substring(authority.lastIndexOf('@') + 1).replaceFirst(
                            ":[^:\\]]*$", "");
            throw new IllegalArgumentException("url has no host it can be sent to: " + url
                    + (host.isEmpty() ? "" : " ('" + host + "' is not a host name or an IP"
                    + " address: " + Urls.whyNoHost(host) + ")"));
        }
        String ambiguous = Urls.ambiguousIpv4(url.getHost());
        if (ambiguous != null) {
            throw new IllegalArgumentException(ambiguous + ": " + url);
        }
        if (url.getPort() == 0 || url.getPort() > 65535) {
            // Sent anyway, it failed as the item's protocol error ("port out of range").
            throw new IllegalArgumentException("url's port " + url.getPort() + " is not a"
                    + " number from 1 to 65535: " + url);
        }
        method = HttpSyntax.method(method);
        id = id == null ? Long.toString(seq) : id;
        Map<String, String> checked = new LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((name, value) -> HttpSyntax.addHeader(checked, name, value));
        }
        headers = Collections.unmodifiableMap(checked);
    }

    /** A request whose id, if it has one, is a string: {@code seq} as a string when none. */
    public FetchRequest(long seq, String id, URI url, String method, Map<String, String> headers,
                        byte[] body) {
        this(seq, id, url, method, headers, body, false);
    }

    /** A GET of {@code url} at position {@code seq}, with no headers or body. */
    public static FetchRequest get(long seq, URI url) {
        return new FetchRequest(seq, null, url, "GET", Map.of(), null);
    }

    /**
     * A builder of the request to {@code url} at position {@code seq}: a GET with no id,
     * headers or body until told otherwise, so a POST with a header needs no constructor of
     * seven components.
     */
    public static Builder builder(long seq, URI url) {
        return new Builder(seq, url);
    }

    /**
     * Builds a {@link FetchRequest}; {@link #build()} checks it as the constructor does.
     * Not thread-safe, as builders are not.
     */
    public static final class Builder {
        private final long seq;
        private final URI url;
        private String id;
        private boolean idIsNumber;
        private String method = "GET";
        private final Map<String, String> headers = new LinkedHashMap<>();
        private byte[] body;

        private Builder(long seq, URI url) {
            this.seq = seq;
            this.url = Objects.requireNonNull(url, "url");
        }

        /** The caller's id, a string; the request's seq as a string when none is given. */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id");
            this.idIsNumber = false;
            return this;
        }

        /** The caller's id, a whole number, written unquoted in the record. */
        public Builder id(long id) {
            this.id = Long.toString(id);
            this.idIsNumber = true;
            return this;
        }

        /** The HTTP method, one word, in any case ({@code GET} when none is given). */
        public Builder method(String method) {
            this.method = Objects.requireNonNull(method, "method");
            return this;
        }

        /**
         * A header, sent in the order given.
         *
         * @throws IllegalArgumentException when a header of that name, in any case, was
         *     given already: the engines would send two such differently
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            for (String earlier : headers.keySet()) {
                if (earlier.equalsIgnoreCase(name)) {
                    // A bad name, checked at build(), is not shown whole: it may hold a token.
                    String named = HttpSyntax.named(name);
                    throw new IllegalArgumentException(named + " is given twice"
                            + (named.startsWith("header ") ? ", also as \"" + earlier + "\""
                            : ""));
                }
            }
            headers.put(name, value);
            return this;
        }

        /**
         * The body, held as given, not copied: it must not change once built. No
         * {@code Content-Type} is added on the event loop; the blocking engines' JDK client
         * sends a body without one, but a PUT's, as {@code application/x-www-form-urlencoded}
         * (README): give one as a header and every engine sends the same request.
         */
        public Builder body(byte[] body) {
            this.body = Objects.requireNonNull(body, "body");
            return this;
        }

        /** The body, {@code text} in UTF-8; its Content-Type as {@link #body(byte[])} says. */
        public Builder body(String text) {
            return body(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
        }

        /**
         * The request.
         *
         * @throws IllegalArgumentException when a part cannot be sent, saying which
         */
        public FetchRequest build() {
            return new FetchRequest(seq, id, url, method, headers, body, idIsNumber);
        }
    }

    /**
     * Whether sending this request twice has the effect of sending it once (RFC 9110, 9.2.2):
     * its method is GET, HEAD, PUT, DELETE, OPTIONS or TRACE. A POST or PATCH the server may
     * have acted on must not go again unasked.
     */
    public boolean idempotent() {
        return IDEMPOTENT.contains(method);
    }

    private static final java.util.Set<String> IDEMPOTENT =
            java.util.Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

    /** The host the request goes to, lower case, for per-host accounting. */
    public String host() {
        return url.getHost().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Equal when every component is, the body by its bytes: a record compares an array by
     * its identity, so two requests of the same body were unequal, and a set of them kept both.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof FetchRequest that && seq == that.seq
                && idIsNumber == that.idIsNumber && id.equals(that.id) && url.equals(that.url)
                && method.equals(that.method) && headers.equals(that.headers)
                && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, id, url, method, headers, idIsNumber) * 31
                + Arrays.hashCode(body);
    }

    /**
     * The fields, with what a log must not keep left out: the URL's password shows as
     * {@code xxxxx}, as in the record, an {@code Authorization} or {@code Proxy-Authorization}
     * header's value as {@code xxxxx}, and the body as its length.
     */
    @Override
    public String toString() {
        StringBuilder shown = new StringBuilder("FetchRequest[seq=").append(seq)
                .append(", id=").append(id)
                .append(", url=").append(UrlPasswords.masked(url.toString()))
                .append(", method=").append(method).append(", headers={");
        String comma = "";
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String name = header.getKey();
            boolean secret = name.equalsIgnoreCase("Authorization")
                    || name.equalsIgnoreCase("Proxy-Authorization");
            shown.append(comma).append(name).append('=')
                    .append(secret ? UrlPasswords.MASK : header.getValue());
            comma = ", ";
        }
        return shown.append("}, body=")
                .append(body == null ? "null" : body.length + " bytes")
                .append(", idIsNumber=").append(idIsNumber).append(']').toString();
    }
}
