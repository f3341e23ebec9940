package dev.bulkfetch.engine;

import java.net.URI;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A cap on the idle connections the JDK's keep-alive cache holds across hosts, as
 * {@link IdleCap} is for AHC's pool. The JDK keeps each host's connections, idle, for 5 to
 * 10 s (longer if the server says {@code Connection: keep-alive} with a longer
 * {@code Keep-Alive: timeout}), however many hosts: 30,000 URLs over 10,000 hosts at
 * {@code -c 64} held 10,000 connections open, and under a limit of 4,096 open files a fifth of
 * the items failed to connect.
 *
 * <p>The cache cannot be asked what it holds, nor told to drop another host's connection, so
 * this keeps an estimate per destination, and the engine acts on it with its own connection:
 * <ul>
 *   <li>A connection kept counts until the JDK has surely closed it.</li>
 *   <li>A request to a destination with one counted takes it, and holds its slot while in
 *       flight: its connection comes back to that slot, so a host in steady use keeps its
 *       connections however many other hosts come and go (a busy host lost keep-alive to
 *       one-off hosts that filled every slot while its request was out).</li>
 *   <li>Past the cap the engine closes the connection it would have kept, or asks the server
 *       to close it ({@code Connection: close}) when a response has no body to end first.</li>
 * </ul>
 * Wrong only on the safe side, where a connection counted was not kept (a server closing it).
 * One lock for all: two short sections per request.
 */
final class JdkIdleCap {

    // The JDK closes a connection idle for 5 s when its cleaner next runs, every 5 s; a
    // server's Keep-Alive time may be longer. Counted too long is the safe side.
    private static final long DEFAULT_KEEP_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int max;
    private final LongSupplier clock;
    private final Map<String, Destination> destinations = new HashMap<>();
    // When each destination's idle connections expire, at most one entry per destination; an
    // entry found early (its destination kept one since) is put back for its later time.
    private final PriorityQueue<Expiry> expiries =
            new PriorityQueue<>(Comparator.comparingLong(Expiry::at));
    // Idle and held slots, across destinations.
    private int total;

    /** One destination's slots: connections idle in the cache, and those out on a request. */
    private static final class Destination {
        int idle;
        int held;
        long expires;
        boolean scheduled;
    }

    private record Expiry(long at, String key, Destination destination) {
    }

    JdkIdleCap(int max) {
        this(max, System::nanoTime);
    }

    JdkIdleCap(int max, LongSupplier clock) {
        this.max = max;
        this.clock = clock;
    }

    /**
     * A request to {@code url} starts: it takes an idle connection there if one is counted,
     * and holds that slot. Returns whether it holds one, for {@link #mayKeep} or
     * {@link #release}.
     */
    synchronized boolean taking(URI url) {
        expire();
        Destination there = destinations.get(key(url));
        if (there == null || there.idle == 0) {
            return false;
        }
        there.idle--;
        there.held++;
        return true;
    }

    /** Whether a request that holds no slot would find none to keep its connection in. */
    synchronized boolean full() {
        expire();
        return total >= max;
    }

    /**
     * Whether the connection of a response from {@code url}, read to its end, may be kept;
     * counted if so. {@code keepAlive} is the response's {@code Keep-Alive} header, or null;
     * {@code holding} whether the request holds a slot there, which this settles.
     */
    synchronized boolean mayKeep(URI url, String keepAlive, boolean holding) {
        expire();
        String key = key(url);
        Destination there = destinations.get(key);
        if (holding && there != null && there.held > 0) {
            there.held--;
        } else {
            if (total >= max) {
                return false;
            }
            total++;
            if (there == null) {
                there = new Destination();
                destinations.put(key, there);
            }
        }
        there.idle++;
        there.expires = clock.getAsLong() + keepNanos(keepAlive);
        if (!there.scheduled) {
            there.scheduled = true;
            expiries.add(new Expiry(there.expires, key, there));
        }
        return true;
    }

    /** A request that held a slot at {@code url} keeps no connection: the slot is free. */
    synchronized void release(URI url) {
        String key = key(url);
        Destination there = destinations.get(key);
        if (there != null && there.held > 0) {
            there.held--;
            total--;
            if (there.idle == 0 && there.held == 0) {
                destinations.remove(key);
            }
        }
    }

    /** Idle connections believed kept now. */
    synchronized int idle() {
        expire();
        return destinations.values().stream().mapToInt(d -> d.idle).sum();
    }

    private void expire() {
        long now = clock.getAsLong();
        Expiry next;
        while ((next = expiries.peek()) != null && next.at() - now <= 0) {
            expiries.poll();
            Destination there = next.destination();
            if (destinations.get(next.key()) != there) {
                continue;  // gone since, and perhaps back as another
            }
            if (there.expires - now > 0) {
                expiries.add(new Expiry(there.expires, next.key(), there));
                continue;
            }
            there.scheduled = false;
            total -= there.idle;
            there.idle = 0;
            if (there.held == 0) {
                destinations.remove(next.key());
            }
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
