package dev.bulkfetch.engine;

import dev.bulkfetch.BodyHandler;
import dev.bulkfetch.FetchRequest;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The head of a response as a body handler sees it, the same on every engine: its status, its
 * URL, and its headers read where the engine's client keeps them ({@code H}: Netty's
 * {@link HttpHeaders} under the event loop, the JDK's {@link HttpURLConnection}'s head under
 * the others, as {@link JdkHeaders} has it), through one of the two {@link Fields} here.
 * Those are shared constants, so a response costs this one object, as an anonymous class of
 * each engine's did.
 */
final class ResponseHead<H> implements BodyHandler.ResponseInfo {

    /** How to read one client's headers by case-insensitive name. */
    interface Fields<H> {
        /** The first value of {@code name}, or null. */
        String first(H headers, String name);

        /** Every value of {@code name}, in the response's order, unmodifiable. */
        List<String> all(H headers, String name);
    }

    /** Netty's, under the event loop. */
    static final Fields<HttpHeaders> NETTY = new Fields<>() {
        @Override
        public String first(HttpHeaders headers, String name) {
            return headers.get(name);
        }

        @Override
        public List<String> all(HttpHeaders headers, String name) {
            return List.copyOf(headers.getAll(name));
        }
    };

    /** The JDK's, by index, the head's lines alone (see {@link JdkHeaders}). */
    static final Fields<JdkHeaders> JDK = new Fields<>() {
        @Override
        public String first(JdkHeaders headers, String name) {
            return headers.first(name);
        }

        @Override
        public List<String> all(JdkHeaders headers, String name) {
            return headers.all(name);
        }
    };

    private final int status;
    private final FetchRequest request;
    private final URI url;
    private final H headers;
    private final Fields<H> fields;

    /** The head of {@code request}'s answer from {@code url}, as sent. */
    ResponseHead(int status, FetchRequest request, URI url, H headers, Fields<H> fields) {
        this.status = status;
        this.request = request;
        this.url = url;
        this.headers = headers;
        this.fields = fields;
    }

    @Override
    public String method() {
        return request.method();
    }

    @Override
    public long seq() {
        return request.seq();
    }

    @Override
    public String id() {
        return request.id();
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public Optional<String> header(String name) {
        return Optional.ofNullable(fields.first(headers, Objects.requireNonNull(name, "name")));
    }

    @Override
    public List<String> headers(String name) {
        return fields.all(headers, Objects.requireNonNull(name, "name"));
    }

    @Override
    public URI url() {
        return url;
    }
}
