package dev.bulkfetch;

import dev.bulkfetch.input.UrlPasswords;

/**
 * The outcome of one input item: exactly one per item, whatever happened to it. The fields are
 * those of the JSON record (the README's "The record"); a failed item carries its
 * {@link FetchError}.
 *
 * @param seq 1-based position of the item in the input
 * @param id the item's id
 * @param url what was asked, as sent (for an input error, the line's URL as written, cut at
 *     200 characters, or {@code null} when a JSON Lines spec has none readable)
 * @param method the HTTP method
 * @param status the final HTTP status, or {@code null} when no response came; a response
 *     whose body broke off (a timeout, a reset, too large) keeps it, beside its error
 * @param error {@code null} when the final response was 2xx and came whole
 * @param attempts how many times the request was sent (0 for input errors, and for one
 *     withdrawn or ended by a close before it was sent)
 * @param latencyNanos time of the final attempt, send to last byte (0 when nothing was sent)
 * @param bytes response body size in bytes, as received
 * @param engine the engine that sent it, or {@code null} when nothing was sent
 * @param body what the body handler made of the final response's body: by default for the
 *     library the bytes, {@code byte[]}; a {@code String} with {@link BodyHandlers#text()}; the
 *     parsed value with {@link BodyHandlers#json(Class)}. For the CLI, the text of a UTF-8 body
 *     with {@code --include-body}. {@code null} when nothing was kept
 * @param bodyFile where the body was saved ({@code --save-bodies}), else {@code null}
 * @param idIsNumber whether {@code id} is a whole number, written unquoted in the record, as
 *     its request's is ({@link FetchRequest#idIsNumber()})
 * @param finalUrl where the answer came from when a redirect was followed: the URL the last
 *     request went to, against which its body's relative links resolve. As sent: without
 *     user info (credentials in a redirect's Location are not used) and without a fragment.
 *     A chain stopped at a redirect not followed (one past the max redirects, or one refused:
 *     to a scheme other than http or https, or to a private address with {@code denyPrivate})
 *     names the URL that answered with it. {@code null} when the answer came from {@code url}
 *     itself: no redirect, {@code maxRedirects(0)}, or a first redirect not followed. So
 *     {@code finalUrl() != null ? finalUrl() : url()} is where the answer came from either
 *     way. The record writes it as {@code final_url}
 */
public record FetchResult(long seq, String id, String url, String method, Integer status,
                          FetchError error, int attempts, long latencyNanos, long bytes,
                          String engine, Object body, String bodyFile, boolean idIsNumber,
                          String finalUrl) {

    /**
     * Checks that an id said to be a number is one: the record writes it as it is.
     *
     * @throws IllegalArgumentException when it is not
     */
    public FetchResult {
        if (id == null) {
            idIsNumber = false;
        } else if (idIsNumber) {
            WholeNumbers.check(id);
        }
    }

    /** A result that followed no redirect ({@code finalUrl} null). */
    public FetchResult(long seq, String id, String url, String method, Integer status,
                       FetchError error, int attempts, long latencyNanos, long bytes,
                       String engine, Object body, String bodyFile, boolean idIsNumber) {
        this(seq, id, url, method, status, error, attempts, latencyNanos, bytes, engine, body,
                bodyFile, idIsNumber, null);
    }

    /** A result whose id is a string, and that followed no redirect. */
    public FetchResult(long seq, String id, String url, String method, Integer status,
                       FetchError error, int attempts, long latencyNanos, long bytes,
                       String engine, Object body, String bodyFile) {
        this(seq, id, url, method, status, error, attempts, latencyNanos, bytes, engine, body,
                bodyFile, false, null);
    }

    /**
     * The body as {@code type}, the type the body handler makes; {@code null} when there is none.
     *
     * @throws ClassCastException when the body is of another type
     */
    public <T> T body(Class<T> type) {
        java.util.Objects.requireNonNull(type, "type");
        return type.cast(body);
    }

    /** True when the final response was 2xx and came whole: no error. */
    public boolean ok() {
        return error == null;
    }

    /** Latency in milliseconds, as the record writes it. */
    public double latencyMillis() {
        return latencyNanos / 1_000_000.0;
    }

    /**
     * The fields, with a URL's password shown as {@code xxxxx}, as the record has it (a result
     * printed to a log must not keep a credential; {@link #url()} still has it), and a body of
     * bytes as its length.
     */
    @Override
    public String toString() {
        return "FetchResult[seq=" + seq + ", id=" + id + ", url=" + shown(url)
                + ", method=" + method + ", status=" + status + ", error=" + error
                + ", attempts=" + attempts + ", latencyNanos=" + latencyNanos
                + ", bytes=" + bytes + ", engine=" + engine
                + ", body=" + (body instanceof byte[] raw ? raw.length + " bytes" : body)
                + ", bodyFile=" + bodyFile + ", idIsNumber=" + idIsNumber
                + ", finalUrl=" + shown(finalUrl) + "]";
    }

    private static String shown(String url) {
        return url == null ? null : UrlPasswords.masked(url);
    }
}
