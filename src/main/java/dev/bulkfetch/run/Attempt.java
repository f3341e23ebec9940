package dev.bulkfetch.run;

import dev.bulkfetch.FetchRequest;

/** One send of one item: the request, its place in the output order, and which try it is. */
record Attempt(FetchRequest request, long ordinal, int number) {

    Attempt next() {
        return new Attempt(request, ordinal, number + 1);
    }

    /** The per-host key: the host name, lower case. */
    String host() {
        return request.host();
    }

    /**
     * The per-host key of {@code url}: its host name alone, as OkHttp groups requests per
     * host. With the port in it, http://h/ and https://h/ were two hosts, so a list of http
     * URLs that the server redirected to https had no per-host limit on the https side.
     */
    static String hostOf(java.net.URI url) {
        return url.getHost().toLowerCase(java.util.Locale.ROOT);
    }
}
