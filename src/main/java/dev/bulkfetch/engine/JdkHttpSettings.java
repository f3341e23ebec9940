package dev.bulkfetch.engine;

/**
 * The system properties the JDK's {@code HttpURLConnection} reads once, when its classes load,
 * set before the blocking engines' first request so that they send what the event loop sends.
 * A value the user set stands. Later engines in the same JVM keep the first values (compare
 * forks a JVM per run, so its runs are exact).
 */
final class JdkHttpSettings {

    // Idle connections kept per destination, default 5: at least one per thread.
    private static final int KEPT_ALIVE_FLOOR = 256;

    private JdkHttpSettings() {
    }

    static synchronized void applyFor(int concurrency) {
        setUnlessGiven("http.maxConnections",
                Integer.toString(Math.max(KEPT_ALIVE_FLOOR, concurrency)));
        // By default the JDK resends a POST lost with its connection; Resends says it must not.
        setUnlessGiven("sun.net.http.retryPost", "false");
        // By default the JDK silently drops Host, Origin, Via, Upgrade and a few more headers
        // a request names: "nothing a user gave is dropped", and the event loop sends them.
        setUnlessGiven("sun.net.http.allowRestrictedHeaders", "true");
        // A body left unread (timed out, too large, cancelled) is read on to its end by a JDK
        // thread for up to 5 s when it is at most 512 KiB, to keep its connection: a stalled
        // server's connection stayed open 5 s past the item's timeout, and a body over
        // --max-body went on downloading. The engines read every body they keep a connection
        // for to its end themselves, so one left unread closes its connection at once.
        setUnlessGiven("http.KeepAlive.remainingData", "0");
    }

    private static void setUnlessGiven(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
