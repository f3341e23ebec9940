package dev.bulkfetch.run;

import dev.bulkfetch.FetchRequest;

/** One send of one item: the request, its place in the output order, and which try it is. */
record Attempt(FetchRequest request, long ordinal, int number) {

    Attempt next() {
        return new Attempt(request, ordinal, number + 1);
    }

    /** The per-host key: host and port, as connections are made. */
    String host() {
        return request.url().getHost() + ":" + request.url().getPort();
    }
}
