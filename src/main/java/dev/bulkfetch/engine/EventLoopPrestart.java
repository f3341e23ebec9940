package dev.bulkfetch.engine;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.Epoll;
import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;

/**
 * The event loop's one-time set-up, begun on a thread of its own as a command-line run starts,
 * while the main thread parses the command line and opens the files: Netty's platform probes
 * and native library, the epoll event loop's classes, AHC's defaults, and the JDK's proxies for
 * the annotations Netty's first pipeline reads ({@code @Skip}, {@code @Sharable}). A one-URL
 * run spent about 30 ms of its start there, on the main thread, before its first request; this
 * takes about 6 ms off it (0.127 s against 0.133 s, 21 interleaved runs, bench/ab.py).
 *
 * <p>Netty's own classes it sets up while the command line is parsed, never while the engine
 * starts: the engine waits for them ({@link #awaitDone}) before it touches Netty, as two threads
 * setting Netty's classes up at once have deadlocked before (netty#5720, #7458: each holding a
 * class the other needs). Only the annotation proxies, the JDK's reflection, come after, beside
 * the engine's start. Only for the CLI: a library's process has long started when it makes a
 * fetcher.
 */
public final class EventLoopPrestart {

    // Set by the CLI's thread before it parses, counted down once Netty's classes are set up;
    // read by the engine's.
    private static volatile CountDownLatch nettyDone;

    private EventLoopPrestart() {
    }

    /** Starts the set-up on a daemon thread and returns at once. */
    public static void begin() {
        CountDownLatch done = new CountDownLatch(1);
        Thread thread = new Thread(() -> run(done), "bulkfetch-prestart");
        thread.setDaemon(true);
        nettyDone = done;
        thread.start();
    }

    /**
     * Waits for a set-up begun to be done with Netty's classes, so that only one thread sets
     * them up at a time. Bounded: should it hang, the engine goes on rather than hang with it.
     * Returns at once when none was begun (a library's fetcher) or it is done.
     */
    static void awaitDone() {
        CountDownLatch done = nettyDone;
        if (done == null) {
            return;
        }
        try {
            done.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            // A run stopped as it starts: the engine's start sees the flag.
            Thread.currentThread().interrupt();
        }
    }

    // In the order the engine needs them, so the main thread finds each done or under way.
    private static void run(CountDownLatch done) {
        try {
            PlatformDependent.hasUnsafe();
            if (Epoll.isAvailable()) {
                Class.forName("io.netty.channel.epoll.EpollEventLoop");
                Class.forName("io.netty.channel.epoll.EpollSocketChannel");
            }
            new DefaultAsyncHttpClientConfig.Builder();
            // The rest is the JDK's reflection: the engine may start beside it.
            done.countDown();
            ChannelInboundHandlerAdapter.class.getMethod("channelRegistered",
                    ChannelHandlerContext.class).getDeclaredAnnotations();
            ChannelInitializer.class.getDeclaredAnnotations();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // Only time is at stake here: the engine meets the same failure, and reports it.
        } finally {
            done.countDown();
        }
    }
}
