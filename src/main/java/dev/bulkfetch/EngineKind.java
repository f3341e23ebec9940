package dev.bulkfetch;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The ways of sending requests that bulkfetch can compare; each has a name for the CLI. */
public enum EngineKind {
    /** async-http-client on a Netty event loop: a few I/O threads for any number of requests. */
    EVENT_LOOP("event-loop"),
    /** A blocking client on a fixed pool of platform threads, one per request in flight. */
    THREADS("threads"),
    /** The same blocking client on one virtual thread per request in flight. */
    VIRTUAL("virtual"),
    /** One request at a time: the baseline. */
    SERIAL("serial");

    // All the JDK's HttpURLConnection, under the blocking engines, will send.
    private static final Set<String> BLOCKING_METHODS =
            Set.of("GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private final String cliName;

    EngineKind(String cliName) {
        this.cliName = cliName;
    }

    /** The name the command line and records use, e.g. {@code event-loop}. */
    public String cliName() {
        return cliName;
    }

    /**
     * Whether this engine can send requests with {@code method} (upper case). The event loop
     * sends any; the blocking engines run on the JDK's {@code HttpURLConnection}, which sends
     * only GET, POST, HEAD, OPTIONS, PUT, DELETE and TRACE (no PATCH): there, an item with
     * another method ends as an {@code input} error that says so.
     */
    public boolean sends(String method) {
        return this == EVENT_LOOP || BLOCKING_METHODS.contains(method);
    }

    /**
     * Whether this engine sends a request carrying the header {@code name} as asked. The
     * blocking ones cannot send {@code Expect}: the JDK's client waits up to 5 s for each
     * 100 Continue (most servers send none) and cannot give a 417 as a status; there, such an
     * item ends as an {@code input} error that says so.
     */
    public boolean sendsHeader(String name) {
        return this == EVENT_LOOP || !name.equalsIgnoreCase("Expect");
    }

    /**
     * Why this engine cannot send {@code request} as asked (its method, an {@code Expect}
     * header, or a body on a GET or TRACE, on the blocking engines), in words naming the engine
     * that can; null when it can. Such an item ends as an {@code input} error that says so.
     */
    public String refusal(FetchRequest request) {
        if (this == EVENT_LOOP) {
            return null;  // it sends any method and header; and this runs for every item
        }
        String what = null;
        if (!sends(request.method())) {
            what = request.method() + ": the JDK's HttpURLConnection sends only GET, POST, HEAD,"
                    + " OPTIONS, PUT, DELETE and TRACE";
        } else if (!request.headers().keySet().stream().allMatch(this::sendsHeader)) {
            what = "a request with an Expect header: the JDK's HttpURLConnection waits up to 5 s"
                    + " for each 100 Continue and cannot give a 417 as a status";
        } else if (request.body() != null && request.body().length > 0
                && (request.method().equals("GET") || request.method().equals("TRACE"))) {
            // Given a body, HttpURLConnection sends a GET as a POST, and refuses a TRACE. An
            // empty one goes as a length of 0, with nothing to stream (ConnectionSetUp.body).
            what = "a " + request.method() + " with a body: the JDK's HttpURLConnection would "
                    + "send it as a POST, or not at all";
        }
        return what == null ? null
                : "the " + cliName + " engine cannot send " + what + "; the event-loop engine can";
    }

    /** The kind named {@code name} (as {@link #cliName()}), or an error listing the names. */
    public static EngineKind fromName(String name) {
        java.util.Objects.requireNonNull(name, "name");
        for (EngineKind kind : values()) {
            if (kind.cliName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + name + "': expected one of "
                + Arrays.stream(values()).map(EngineKind::cliName)
                        .collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
