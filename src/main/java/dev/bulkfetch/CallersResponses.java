package dev.bulkfetch;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A fetcher's body handler as its caller wrote it: a fetcher sends each request under a seq of
 * its own (callers' seqs may collide), and the handler is told the caller's seq and id
 * instead, to name what it keeps by. A response to a request its caller has withdrawn, whose
 * result no one will see, keeps nothing.
 */
final class CallersResponses {

    private CallersResponses() {
    }

    /**
     * {@code handler}, each response shown with the caller's request that {@code asked} gives
     * for the fetcher's seq (null when withdrawn).
     */
    static <T> BodyHandler<T> of(BodyHandler<T> handler, LongFunction<FetchRequest> asked) {
        return response -> {
            FetchRequest request = asked.apply(response.seq());
            return request == null ? null : handler.open(new Answer(response, request));
        };
    }

    /** {@code response}, its seq and id the caller's {@code request}'s. */
    private record Answer(BodyHandler.ResponseInfo response, FetchRequest request)
            implements BodyHandler.ResponseInfo {

        @Override
        public int status() {
            return response.status();
        }

        @Override
        public Optional<String> header(String name) {
            return response.header(name);
        }

        @Override
        public List<String> headers(String name) {
            return response.headers(name);
        }

        @Override
        public URI url() {
            return response.url();
        }

        @Override
        public String method() {
            return response.method();
        }

        @Override
        public long seq() {
            return request.seq();
        }

        @Override
        public String id() {
            return request.id();
        }
    }
}
