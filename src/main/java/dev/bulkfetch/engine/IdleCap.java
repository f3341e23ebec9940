package dev.bulkfetch.engine;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.asynchttpclient.channel.ChannelPool;

/**
 * AHC's connection pool with a cap on the idle connections it keeps, across all hosts. AHC keeps
 * one per host a run has touched until it has been idle for a minute, however many hosts: a
 * list over 10,000 hosts held 20,000 connections open at {@code -c 64}, and under a limit of
 * 4,096 open files a quarter of its items failed as "Too many open files". An offer over the
 * cap is refused, and AHC closes that connection instead of keeping it.
 */
final class IdleCap implements ChannelPool {

    // Set once a channel's close is watched, so a channel pooled again and again is not.
    private static final AttributeKey<Boolean> WATCHED =
            AttributeKey.valueOf("bulkfetch.idle-cap.watched");

    private final ChannelPool pool;
    private final int max;
    private final Set<Channel> idle = ConcurrentHashMap.newKeySet();

    /** {@code pool}, keeping at most {@code max} idle connections. */
    IdleCap(ChannelPool pool, int max) {
        this.pool = pool;
        this.max = max;
    }

    @Override
    public boolean offer(Channel channel, Object partitionKey) {
        // Checked and added apart: a few offers racing may pass the cap by a few.
        if (idle.size() >= max || !pool.offer(channel, partitionKey)) {
            return false;
        }
        idle.add(channel);
        if (channel.attr(WATCHED).setIfAbsent(true) == null) {
            // The pool's cleaner closes connections idle too long: they leave the count then.
            channel.closeFuture().addListener(closed -> idle.remove(channel));
        }
        return true;
    }

    @Override
    public Channel poll(Object partitionKey) {
        Channel channel = pool.poll(partitionKey);
        if (channel != null) {
            idle.remove(channel);
        }
        return channel;
    }

    @Override
    public boolean removeAll(Channel channel) {
        idle.remove(channel);
        return pool.removeAll(channel);
    }

    /** Idle connections held now (for tests). */
    int idle() {
        return idle.size();
    }

    @Override
    public boolean isOpen() {
        return pool.isOpen();
    }

    @Override
    public void destroy() {
        pool.destroy();
        idle.clear();
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
