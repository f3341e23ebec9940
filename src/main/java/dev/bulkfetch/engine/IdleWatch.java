package dev.bulkfetch.engine;

import io.netty.channel.Channel;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.asynchttpclient.ListenableFuture;
import org.asynchttpclient.netty.NettyResponseFuture;
import org.asynchttpclient.util.DateUtils;

/**
 * The event loop's idle timeout ({@code --idle-timeout}): an exchange whose server has sent
 * nothing for that long since its request was written whole ends as a read timeout, its
 * connection closed. It reads the exchange's clock that AHC moves as bytes come ({@link
 * DecoderFailureHandler} moves it for bytes the codec has yet to decode), and looks
 * {@link #CHECKS} times per idle timeout, so a silence ends within an eighth of one past it.
 *
 * <p>A body still going out is no silence, as on the blocking engines, whose idle timeout is
 * a socket read's, begun once the body has gone: a large upload a server is slow to read
 * ended here as {@code nothing came for} while the JDK's got the answer. A stalled upload is
 * the request timeout's to end, on every engine.
 *
 * <p>AHC's own check (its read timeout, turned off) did not do: it looked again only a whole
 * idle timeout after it last looked, so a silence could run to almost twice the idle timeout;
 * and it stops looking once less than an idle timeout is left of the request timeout, so a
 * silence that began less than two idle timeouts before the request's deadline ran on to that
 * deadline, and ended as {@code request took longer than} where the blocking engines said
 * {@code nothing came for}.
 */
final class IdleWatch implements TimerTask {

    // How many times per idle timeout the watch looks.
    static final int CHECKS = 8;

    private final Timer timer;
    private final NettyResponseFuture<?> exchange;
    // When the request had been written whole (DateUtils' clock, as the exchange's), 0 before.
    private final LongSupplier written;
    private final long idleMillis;
    // The next look, set by the thread that schedules it, cancelled by the exchange's end.
    private volatile Timeout next;

    private IdleWatch(Timer timer, NettyResponseFuture<?> exchange, LongSupplier written,
                      Duration idle) {
        this.timer = timer;
        this.exchange = exchange;
        this.written = written;
        this.idleMillis = idle.toMillis();
    }

    /**
     * Watches {@code exchange}, on {@code timer}, from when {@code written} (in
     * {@link DateUtils#unpreciseMillisTime}'s time, 0 until then) says its request was written
     * whole to its end, for a silence of {@code idle}. An exchange AHC ended at once is not
     * watched.
     */
    static void start(Timer timer, ListenableFuture<?> exchange, LongSupplier written,
                      Duration idle) {
        if (exchange instanceof NettyResponseFuture<?> netty && !netty.isDone()) {
            IdleWatch watch = new IdleWatch(timer, netty, written, idle);
            watch.lookLater();
            // Out of the timer's wheel as the exchange ends, not at the next look: at
            // thousands of exchanges a second the wheel would hold each for a while.
            netty.addListener(watch::stop, Runnable::run);
        }
    }

    private void lookLater() {
        next = timer.newTimeout(this, Math.max(idleMillis / CHECKS, 10),
                TimeUnit.MILLISECONDS);
    }

    private void stop() {
        next.cancel();
    }

    @Override
    public void run(Timeout timeout) {
        if (exchange.isDone()) {
            return;
        }
        long writtenAt = written.getAsLong();
        // The exchange's clock starts as AHC makes it, before any connection is made: the
        // silence counts from the request's last byte gone or the answer's last come,
        // whichever is later.
        if (writtenAt != 0 && DateUtils.unpreciseMillisTime()
                - Math.max(writtenAt, exchange.getLastTouch()) >= idleMillis) {
            expire();
        } else {
            lookLater();
        }
    }

    /**
     * Ends the exchange as timed out, as AHC's read timeout did (in words {@link Timeouts}
     * reads as the idle timeout's), and closes its connection, on the connection's loop, where
     * the exchange's answer completes it: a connection done with and pooled is not closed.
     */
    private void expire() {
        Channel channel = exchange.channel();
        TimeoutException silence = new TimeoutException("Read timeout after " + idleMillis
                + " ms");
        if (channel == null) {
            exchange.abort(silence);
            return;
        }
        try {
            channel.eventLoop().execute(() -> {
                if (!exchange.isDone()) {
                    exchange.abort(silence);
                    channel.close();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // The engine is closing, and its close ends the exchange.
        }
    }
}
