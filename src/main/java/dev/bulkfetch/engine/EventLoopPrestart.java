package dev.bulkfetch.engine;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.Epoll;
import io.netty.util.internal.PlatformDependent;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;

/**
 * The event loop's one-time set-up, begun on a thread of its own as a command-line run starts,
 * while the main thread parses the command line and opens the files: Netty's platform probes
 * and native library, the epoll event loop's classes, AHC's defaults, and the JDK's proxies for
 * the annotations Netty's first pipeline reads ({@code @Skip}, {@code @Sharable}). A one-URL
 * run spent about 30 ms of its start there, on the main thread, before its first request; this
 * takes about 5 ms off it (21 interleaved runs, bench/ab.py).
 *
 * <p>Nothing is done twice and nothing waits for it: what it has not reached when the engine
 * starts, the engine's thread does; a class whose set-up it has under way, the JVM makes the
 * engine's thread wait for rather than repeat. Only for the CLI: a library's process has long
 * started when it makes a fetcher.
 */
public final class EventLoopPrestart {

    private EventLoopPrestart() {
    }

    /** Starts the set-up on a daemon thread and returns at once. */
    public static void begin() {
        Thread thread = new Thread(EventLoopPrestart::run, "bulkfetch-prestart");
        thread.setDaemon(true);
        thread.start();
    }

    // In the order the engine needs them, so the main thread finds each done or under way.
    private static void run() {
        try {
            PlatformDependent.hasUnsafe();
            if (Epoll.isAvailable()) {
                Class.forName("io.netty.channel.epoll.EpollEventLoop");
                Class.forName("io.netty.channel.epoll.EpollSocketChannel");
            }
            new DefaultAsyncHttpClientConfig.Builder();
            ChannelInboundHandlerAdapter.class.getMethod("channelRegistered",
                    ChannelHandlerContext.class).getDeclaredAnnotations();
            ChannelInitializer.class.getDeclaredAnnotations();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // Only time is at stake here: the engine meets the same failure, and reports it.
        }
    }
}
