package dev.bulkfetch.engine;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.asynchttpclient.channel.ChannelPool;

/**
 * AHC's connection pool with a cap on the idle connections it keeps, across all hosts. AHC keeps
 * one per host a run has touched until it has been idle for a minute, however many hosts: a
 * list over 10,000 hosts held 20,000 connections open at {@code -c 64}, and under a limit of
 * 4,096 open files a quarter of its items failed as "Too many open files". Past the cap the
 * connection pooled longest ago is closed: a host in steady use keeps its connections however
 * many one-off hosts come after it (refusing the newest instead had a busy host open a new
 * connection for each request once one-off hosts had filled the cap).
 */
final class IdleCap implements ChannelPool {

    // Set once a channel's close is watched, so a channel pooled again and again is not.
    private static final AttributeKey<Boolean> WATCHED =
            AttributeKey.valueOf("bulkfetch.idle-cap.watched");

    private final ChannelPool pool;
    private final int max;
    // Idle channels, the one pooled longest ago first. Guarded by itself; offers and polls
    // come from the event loop's threads.
    private final Set<Channel> idle = new LinkedHashSet<>();

    /** {@code pool}, keeping at most {@code max} idle connections. */
    IdleCap(ChannelPool pool, int max) {
        this.pool = pool;
        this.max = max;
    }

    @Override
    public boolean offer(Channel channel, Object partitionKey) {
        if (!pool.offer(channel, partitionKey)) {
            return false;
        }
        Channel eldest = null;
        synchronized (idle) {
            idle.add(channel);
            if (idle.size() > max) {
                eldest = idle.iterator().next();
                idle.remove(eldest);
            }
        }
        if (channel.attr(WATCHED).setIfAbsent(true) == null) {
            // The pool's cleaner closes connections idle too long: they leave the count then.
            channel.closeFuture().addListener(closed -> forget(channel));
        }
        // Closed only if still in the pool: one a request has just taken is in use.
        if (eldest != null && pool.removeAll(eldest)) {
            eldest.close();
        }
        return true;
    }

    @Override
    public Channel poll(Object partitionKey) {
        Channel channel = pool.poll(partitionKey);
        if (channel != null) {
            forget(channel);
        }
        return channel;
    }

    @Override
    public boolean removeAll(Channel channel) {
        forget(channel);
        return pool.removeAll(channel);
    }

    private void forget(Channel channel) {
        synchronized (idle) {
            idle.remove(channel);
        }
    }

    /** Idle connections held now (for tests). */
    int idle() {
        synchronized (idle) {
            return idle.size();
        }
    }

    @Override
    public boolean isOpen() {
        return pool.isOpen();
    }

    @Override
    public void destroy() {
        pool.destroy();
        synchronized (idle) {
            idle.clear();
        }
    }

    @Override
    public void flushPartitions(Predicate<Object> predicate) {
        pool.flushPartitions(predicate);
    }

    @Override
    public Map<String, Long> getIdleChannelCountPerHost() {
        return pool.getIdleChannelCountPerHost();
    }
}
