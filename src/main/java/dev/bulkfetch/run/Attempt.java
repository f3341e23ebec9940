package dev.bulkfetch.run;

import dev.bulkfetch.FetchRequest;

/** One send of one item: the request, its place in the output order, and which try it is. */
record Attempt(FetchRequest request, long ordinal, int number) {

    Attempt next() {
        return new Attempt(request, ordinal, number + 1);
    }

    /** The per-host key: host (lower case) and port (the scheme's default when none). */
    String host() {
        return hostOf(request.url());
    }

    /** The per-host key of {@code url}. */
    static String hostOf(java.net.URI url) {
        int port = url.getPort() != -1 ? url.getPort()
                : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        return url.getHost().toLowerCase(java.util.Locale.ROOT) + ":" + port;
    }
}
