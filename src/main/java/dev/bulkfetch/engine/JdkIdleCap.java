package dev.bulkfetch.engine;

import dev.bulkfetch.input.Urls;
import java.net.URI;
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
    // A server's time is believed up to an hour: the JDK reads it as an int of seconds, and a
    // larger one overflowed the count's clock and kept every count from expiring.
    private static final long MAX_KEEP_NANOS = TimeUnit.HOURS.toNanos(1);

    private final int max;
    private final LongSupplier clock;
    private final Map<String, Destination> destinations = new HashMap<>();
    // When each destination's oldest idle connection expires, at most one entry per
    // destination; found, it is put back for the destination's next oldest. Our own lambda,
    // not Comparator.comparingLong: the start-up cache holds the lambdas of the training run's
    // code, and the JDK's lambda inside comparingLong was made anew at each start.
    private final PriorityQueue<Expiry> expiries =
            new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
    // Idle and held slots, across destinations.
    private int total;

    /**
     * One destination's slots: when each connection idle in the cache expires, the one kept
     * last first (the JDK hands that one out next), and those out on a request.
     */
    private static final class Destination {
        final java.util.ArrayDeque<Long> idle = new java.util.ArrayDeque<>();
        int held;
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
        if (there == null || there.idle.isEmpty()) {
            return false;
        }
        there.idle.pollFirst();
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
    synchronized boolean mayKeep(URI url, String connection, String keepAlive,
                                 boolean holding) {
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
        there.idle.addFirst(clock.getAsLong() + keepNanos(connection, keepAlive));
        if (!there.scheduled) {
            there.scheduled = true;
            expiries.add(new Expiry(there.idle.peekLast(), key, there));
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
            if (there.idle.isEmpty() && there.held == 0) {
                destinations.remove(key);
            }
        }
    }

    /** Idle connections believed kept now. */
    synchronized int idle() {
        expire();
        return destinations.values().stream().mapToInt(d -> d.idle.size()).sum();
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
            // Each connection kept expires on its own: a burst's surplus goes while the one
            // connection still in use stays.
            while (!there.idle.isEmpty() && there.idle.peekLast() - now <= 0) {
                there.idle.pollLast();
                total--;
            }
            if (!there.idle.isEmpty()) {
                expiries.add(new Expiry(there.idle.peekLast(), next.key(), there));
                continue;
            }
            there.scheduled = false;
            if (there.held == 0) {
                destinations.remove(next.key());
            }
        }
    }

    /** The JDK's cache key, less the TLS settings, which are one per engine. */
    private static String key(URI url) {
        String scheme = url.getScheme().toLowerCase(java.util.Locale.ROOT);
        return scheme + "://" + url.getHost().toLowerCase(java.util.Locale.ROOT) + ":"
                + Urls.port(url);
    }

    /**
     * How long the JDK may keep the connection: 10 s, or the server's longer timeout (up to an
     * hour), which the JDK reads only with {@code Connection: keep-alive}.
     */
    static long keepNanos(String connection, String keepAlive) {
        if (keepAlive != null && "keep-alive".equalsIgnoreCase(connection)) {
            for (String part : keepAlive.split(",")) {
                String[] pair = part.trim().split("=", 2);
                if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("timeout")) {
                    try {
                        long seconds = Long.parseLong(pair[1].trim());
                        return Math.max(DEFAULT_KEEP_NANOS, Math.min(MAX_KEEP_NANOS,
                                TimeUnit.SECONDS.toNanos(Math.max(0, seconds))));
                    } catch (NumberFormatException e) {
                        return DEFAULT_KEEP_NANOS;
                    }
                }
            }
        }
        return DEFAULT_KEEP_NANOS;
    }
}
