package dev.bulkfetch.engine;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The one Netty event loop group of the process, shared by every event-loop engine: one I/O
 * thread per core carries any number of connections, and two engines never compete with two
 * groups for the same cores. Native epoll where the platform has it (fewer copies and
 * wake-ups than NIO's selector), NIO otherwise. Reference-counted: the last engine to close
 * shuts it down, so a closed fetcher leaves no I/O thread behind.
 */
final class SharedEventLoop {

    // Guarded by SharedEventLoop.class.
    private static EventLoopGroup group;
    private static int users;

    private SharedEventLoop() {
    }

    static synchronized EventLoopGroup acquire() {
        // Netty's first touch on this thread: not while the CLI's prestart sets it up.
        EventLoopPrestart.awaitDone();
        if (users++ == 0) {
            int threads = Runtime.getRuntime().availableProcessors();
            DefaultThreadFactory factory = new DefaultThreadFactory("bulkfetch-io", true);
            group = Epoll.isAvailable()
                    ? new EpollEventLoopGroup(threads, factory)
                    : new NioEventLoopGroup(threads, factory);
        }
        return group;
    }

    static synchronized void release() {
        if (--users == 0) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }
}
