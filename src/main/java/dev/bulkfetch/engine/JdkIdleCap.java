package dev.bulkfetch.engine;

import java.net.URI;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A cap on the idle connections the JDK's keep-alive cache holds across hosts, as
 * {@link IdleCap} is for AHC's pool. The JDK keeps each host's connections, idle, for 5 to
 * 10 s, however many hosts: 30,000 URLs over 10,000 hosts at
 * {@code -c 64} held 10,000 connections open, and under a limit of 4,096 open files a fifth of
 * the items failed to connect.
 *
 * <p>The cache cannot be asked what it holds, so this keeps an estimate per destination: a
 * connection kept adds one until its keep-alive time passes, a request starting to that
 * destination takes one. Past the cap the engine closes the connection it would have kept
 * ({@link java.net.HttpURLConnection#disconnect()} before the body's stream is closed). Wrong
 * only on the safe side, where a connection counted was not kept (a server closing it).
 */
final class JdkIdleCap {

    // The JDK closes a connection idle for 5 s when its cleaner next runs, every 5 s; a
    // server's Keep-Alive time may be shorter or longer. Counted too long is the safe side.
    private static final long DEFAULT_KEEP_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int max;
    private final LongSupplier clock;
    // Destinations with idle connections, the one kept longest ago first.
    private final Map<String, Idle> idle = new LinkedHashMap<>();
    private int total;

    /** Idle connections of one destination, and when the last kept of them expires. */
    private static final class Idle {
        int count;
        long expires;
    }

    JdkIdleCap(int max) {
        this(max, System::nanoTime);
    }

    JdkIdleCap(int max, LongSupplier clock) {
        this.max = max;
        this.clock = clock;
    }

    /** A request to {@code url} starts: it takes an idle connection there, if one is kept. */
    synchronized void taking(URI url) {
        expire();
        String key = key(url);
        Idle there = idle.get(key);
        if (there != null) {
            total--;
            if (--there.count == 0) {
                idle.remove(key);
            }
        }
    }

    /**
     * Whether the connection of a response from {@code url}, read to its end, may be kept;
     * counted if so. {@code keepAlive} is the response's {@code Keep-Alive} header, or null.
     */
    synchronized boolean mayKeep(URI url, String keepAlive) {
        expire();
        if (total >= max) {
            return false;
        }
        String key = key(url);
        Idle there = idle.remove(key);
        if (there == null) {
            there = new Idle();
        }
        there.count++;
        there.expires = clock.getAsLong() + keepNanos(keepAlive);
        // Moved to the end: the map stays in order of expiry, give or take servers' times.
        idle.put(key, there);
        total++;
        return true;
    }

    /** Idle connections believed kept now. */
    synchronized int idle() {
        expire();
        return total;
    }

    private void expire() {
        long now = clock.getAsLong();
        for (Iterator<Idle> it = idle.values().iterator(); it.hasNext(); ) {
            Idle next = it.next();
            if (next.expires - now > 0) {
                return;
            }
            total -= next.count;
            it.remove();
        }
    }

    /** The JDK's cache key, less the TLS settings, which are one per engine. */
    private static String key(URI url) {
        String scheme = url.getScheme().toLowerCase(java.util.Locale.ROOT);
        int port = url.getPort() >= 0 ? url.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + url.getHost().toLowerCase(java.util.Locale.ROOT) + ":" + port;
    }

    /** How long the JDK may keep the connection: 10 s, or the server's longer timeout. */
    static long keepNanos(String keepAlive) {
        if (keepAlive != null) {
            for (String part : keepAlive.split(",")) {
                String[] pair = part.trim().split("=", 2);
                if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("timeout")) {
                    try {
                        return Math.max(DEFAULT_KEEP_NANOS,
                                TimeUnit.SECONDS.toNanos(Long.parseLong(pair[1].trim())));
                    } catch (NumberFormatException e) {
                        return DEFAULT_KEEP_NANOS;
                    }
                }
            }
        }
        return DEFAULT_KEEP_NANOS;
    }
}
