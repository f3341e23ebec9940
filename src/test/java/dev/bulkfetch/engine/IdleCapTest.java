package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.asynchttpclient.channel.ChannelPool;
import org.junit.jupiter.api.Test;

/** The idle pool is capped across hosts; a connection leaves the count when used or closed. */
class IdleCapTest {

    /** Keeps whatever it is offered, one queue for all keys: the cap is what is tested. */
    private static final class KeepAll implements ChannelPool {
        final Deque<Channel> kept = new ArrayDeque<>();

        @Override
        public boolean offer(Channel channel, Object partitionKey) {
            return kept.add(channel);
        }

        @Override
        public Channel poll(Object partitionKey) {
            return kept.poll();
        }

        @Override
        public boolean removeAll(Channel channel) {
            return kept.remove(channel);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void destroy() {
        }

        @Override
        public void flushPartitions(Predicate<Object> predicate) {
        }

        @Override
        public Map<String, Long> getIdleChannelCountPerHost() {
            return Map.of();
        }
    }

    /**
     * One idle connection per host touched, over thousands of hosts, ran a run out of open
     * files: past the cap an offer is refused, and AHC closes that connection.
     */
    @Test
    void offersPastTheCapAreRefusedAndUseOrCloseMakesRoom() {
        IdleCap cap = new IdleCap(new KeepAll(), 3);
        List<EmbeddedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            channels.add(new EmbeddedChannel());
        }

        List<Boolean> kept = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            kept.add(cap.offer(channels.get(i), "host-" + i));
        }
        assertThat(kept).containsExactly(true, true, true, false, false);
        assertThat(cap.idle()).isEqualTo(3);

        Channel reused = cap.poll("host-0");
        assertThat(cap.idle()).isEqualTo(2);
        assertThat(cap.offer(channels.get(3), "host-3")).isTrue();
        channels.get(1).close();
        assertThat(cap.idle()).isEqualTo(2);
        // Pooled again after its use: counted once, and its close still leaves the count.
        assertThat(cap.offer(reused, "host-0")).isTrue();
        assertThat(cap.idle()).isEqualTo(3);
        reused.close();
        assertThat(cap.idle()).isEqualTo(2);
    }
}
