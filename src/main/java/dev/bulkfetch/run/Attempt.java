package dev.bulkfetch.run;

import dev.bulkfetch.FetchRequest;

/**
 * One send of one item: the request, its place in the output order, and which try it is.
 *
 * <p>A class with identity, not a record: the driver and the sender keep attempts in hash
 * sets, and a record's {@code hashCode} hashed the whole request (its URL and headers, among
 * others) at every add and remove. Its first call also cost each start the JDK's
 * method-handle set-up for a record's methods, about 12 ms of a one-URL run, which the
 * start-up cache does not hold. Two sends are two attempts even when all their fields are
 * alike.
 */
final class Attempt {
    private final FetchRequest request;
    private final long ordinal;
    private final int number;

    Attempt(FetchRequest request, long ordinal, int number) {
        this.request = request;
        this.ordinal = ordinal;
        this.number = number;
    }

    FetchRequest request() {
        return request;
    }

    /** Its place in the output order. */
    long ordinal() {
        return ordinal;
    }

    /** Which try this is: 1 for the first send. */
    int number() {
        return number;
    }

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

    @Override
    public String toString() {
        return "Attempt " + number + " of item " + ordinal + " (" + request.url() + ")";
    }
}
