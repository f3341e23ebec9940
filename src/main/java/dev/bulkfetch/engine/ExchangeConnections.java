package dev.bulkfetch.engine;

import java.net.HttpURLConnection;
import java.net.URI;

/**
 * What becomes of the connections of one {@link BlockingExchange} (a redirect's chain has a
 * few): each takes a slot of the engine's {@link JdkIdleCap} as it opens, if there is one, and
 * once its response is read is kept (the JDK keeps it as its stream closes) or closed. Out of
 * the exchange, as its body reads are ({@link BlockingBody}): the exchange keeps the state
 * its watchdog reads.
 *
 * <p>The slot is confined to the exchange's thread; a close may come from that thread or from
 * the one that ends the exchange at its deadline, and is made once whichever comes first.
 */
final class ExchangeConnections {

    private final JdkIdleCap idleCap;
    // Where the exchange holds a slot of the idle cap, until its connection is kept or not.
    private URI slot;
    // The connections closed, by whichever thread (a redirect's chain has a few): see
    // disconnect(). HttpURLConnection keeps Object's identity equality.
    private final java.util.Set<HttpURLConnection> disconnected =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    ExchangeConnections(JdkIdleCap idleCap) {
        this.idleCap = idleCap;
    }

    /** A connection to {@code url} opens: a slot still held is freed, and one taken for it. */
    void opening(URI url) {
        settle();
        if (idleCap.taking(url)) {
            slot = url;
        }
    }

    /** Whether the connection opening has no slot to be kept in: the cap is full. */
    boolean unkept() {
        return slot == null && idleCap.full();
    }

    /**
     * Closes a connection whose response was read to its end when the {@link JdkIdleCap}
     * has no room for it; else the JDK keeps it as the stream closes.
     */
    void keepOrClose(HttpURLConnection conn, URI url) {
        if ("close".equalsIgnoreCase(conn.getHeaderField("Connection"))) {
            settle();
            return;
        }
        boolean holding = slot != null;
        slot = null;
        if (!idleCap.mayKeep(url, conn.getHeaderField("Connection"),
                conn.getHeaderField("Keep-Alive"), holding)) {
            disconnect(conn);
        }
    }

    /** A slot the exchange still holds (its hop failed, or it is over) is freed. */
    void settle() {
        if (slot != null) {
            idleCap.release(slot);
            slot = null;
        }
    }

    /**
     * Closes {@code conn}, once, and at best effort: the deadline's abort thread and the
     * exchange's own thread (its failure, a body cut short) may both come to one connection.
     * The JDK's {@code disconnect()} takes no lock and reads a field its own failing read
     * clears: two at once, or one beside that read, threw a NullPointerException from inside
     * it, which ended the item's future with it rather than with an outcome. Whichever thread
     * fails, the other closes the socket or already has.
     */
    void disconnect(HttpURLConnection conn) {
        if (disconnected.add(conn)) {
            try {
                conn.disconnect();
            } catch (RuntimeException raceInsideTheJdk) {
                // See above: the connection is closed or closing either way.
            }
        }
    }
}
