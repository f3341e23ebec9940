package dev.bulkfetch.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.asynchttpclient.netty.NettyResponseFuture;
import org.asynchttpclient.netty.channel.Channels;

/**
 * Keeps the answer a server gave before it read a request's whole body: a {@code 413} to a
 * large upload, then the connection closed with the body unread, which the kernel makes a
 * reset. The JDK's client, under the blocking engines, reads the answer after its write
 * fails, and the record is the 413. Here the item ended as a reset, with no status or beside
 * the 413: Netty closed the connection as the write failed and AHC failed the exchange with
 * the write's error ("Broken pipe", a reset) before reading what had come; or, the whole
 * answer read while the body was still going, AHC closed the connection as it ended the
 * exchange, which failed the write under way, and took that failure for the exchange's.
 *
 * <p>So a failed write does not close the connection (Netty shuts its output down instead),
 * and the failure of a request with a body, when no answer has begun or the answer has come
 * whole, is held back from AHC while the connection is read on: an answer that comes whole
 * ends the exchange as an answer, its connection not kept; otherwise, at the first error or
 * the close, AHC is given the write's failure, as before. A write that fails in the middle of
 * an answer fails at once. An answer that comes while the body is still going, its write not
 * failed, keeps the connection when it is a 2xx kept alive, and the body goes on whole: such
 * a server reads the rest, and the exchange ends as the body has gone; any other ends the body
 * there.
 *
 * <p>The server's close_notify, which ends its TLS, counts as the close unless an answer is
 * under way: no answer can begin after it. A server may end TLS on a kept-alive connection and
 * leave the connection open. Over TLS 1.2 this side's TLS ends too and refuses the next
 * request's write; over TLS 1.3 the write goes, and nothing answers it. Either way the item
 * waited for a timeout, or ended as a reset though the request never left (a POST is not sent
 * again). So such a connection is closed as the close_notify comes, and leaves AHC's pool; the
 * next request goes on a new one. An answer under way is not kept either. One not yet whole
 * is closed at once, as nothing can follow the close_notify: a body the close delimits ends
 * there, one with a length ends cut (it waited for the idle timeout when the server left the
 * connection open). One come whole whose last part waits for the request's body waits on.
 *
 * <p>One per channel: it is used only by that channel's event-loop thread.
 */
final class EarlyAnswers extends ChannelDuplexHandler {

    static final String NAME = "bulkfetch-early-answers";

    // AHC's promise for the request's write, whose failure is held back; null when none is.
    private ChannelPromise held;
    private Throwable heldCause;
    // Whether a final answer (not a 1xx) to the request in flight has begun to come, and
    // whether it has come whole (AHC is given or has been given its last part).
    private boolean answering;
    private boolean whole;
    // The write of the request in flight, until it is done; null when none is under way.
    private ChannelPromise writing;
    // Whether the answer in flight came, a 2xx kept alive, while its request's body was still
    // going out: its last part is then held until the body has gone (see channelRead).
    private boolean beforeBodyWent;
    // Whether the server has ended its TLS (its close_notify): no answer can come after it.
    // The connection is then closed (by AHC once an answer under way has ended), and a later
    // write finds it inactive; but Netty's SslHandler holds the close until its own
    // close_notify is flushed (up to 3 s, to a server that reads nothing). A request AHC
    // takes from its pool meanwhile fails its write: this fails it at once, not at the close.
    // Either way the item ends with that write's error: this only ends it sooner.
    private boolean tlsEnded;

    /** Adds the handler just before AHC's on a new channel. */
    static void install(Channel channel) {
        // Else Netty closes the channel as a write fails, with the answer unread.
        channel.config().setAutoClose(false);
        channel.pipeline().addBefore("ahc-http", NAME, new EarlyAnswers());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
            throws Exception {
        if (!(msg instanceof HttpRequest)) {
            super.write(ctx, msg, promise);
            return;
        }
        answering = false;
        whole = false;
        beforeBodyWent = false;
        // Read before the write, which releases the body: only a request with a body to
        // refuse is answered before it has gone whole.
        if (promise.isVoid() || !(msg instanceof FullHttpRequest full)
                || !full.content().isReadable()) {
            super.write(ctx, msg, promise);
            return;
        }
        ChannelPromise written = ctx.newPromise();
        writing = written;
        written.addListener(done -> {
            if (writing == done) {
                writing = null;
            }
            Throwable cause = done.cause();
            if (cause == null) {
                promise.trySuccess();
            } else if (!(cause instanceof IOException)
                    || !whole && (answering || tlsEnded || !ctx.channel().isActive())) {
                promise.tryFailure(cause);
            } else {
                // No answer yet on a connection still open, or AHC closing it as the whole
                // answer ends the exchange.
                held = promise;
                // Netty wraps the write's error when it shuts the output down after it.
                heldCause = cause instanceof ChannelOutputShutdownException
                        && cause.getCause() != null ? cause.getCause() : cause;
            }
        });
        super.write(ctx, msg, written);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response && response.status().code() >= 200) {
            answering = true;
            // The request did not go whole: its connection can carry no other. A write still
            // going on is ended (AHC closes the connection as the answer ends) only for an
            // answer that turns the body away, as curl does ("HTTP error before end of
            // send"): after a 2xx kept alive the server reads the rest (RFC 9112, 9.5).
            if (held != null || writing != null && response.status().code() >= 300) {
                HttpUtil.setKeepAlive(response, false);
            }
            beforeBodyWent = writing != null && HttpUtil.isKeepAlive(response);
        }
        boolean ends = answering && msg instanceof LastHttpContent;
        whole |= ends;
        if (ends && beforeBodyWent && writing != null) {
            // AHC would end the exchange and pool the connection with the body still going
            // out: the next item sent on it waited behind the body, and ended at its timeout
            // when the server read no more of it (found by review). So the exchange ends as
            // the body has gone, as on the JDK's engines, or at the request's timeout.
            writing.addListener(done -> endAfterBody(ctx, msg, done.isSuccess()));
            return;
        }
        ctx.fireChannelRead(msg);
        if (ends) {
            // AHC has ended the exchange with the answer; its write's failure only closes.
            release();
        }
    }

    /**
     * Gives AHC an answer's last part held for its request's body once that body has gone
     * whole ({@code sent}); else the write's failure, the part dropped, as for a body cut
     * short before any answer: the request's timeout that closed the connection, or the
     * server's reset, is the record (beside the status that came), on every engine the same.
     */
    private void endAfterBody(ChannelHandlerContext ctx, Object last, boolean sent) {
        if (sent) {
            ctx.fireChannelRead(last);
        } else {
            ReferenceCountUtil.release(last);
            ctx.close();
        }
        release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslCloseCompletionEvent) {
            tlsEnded = true;
            if (!answering || whole) {
                release();
            }
            if (answerUnderWay()
                    && Channels.getAttribute(ctx.channel()) instanceof NettyResponseFuture<?> f) {
                f.setKeepAlive(false);  // AHC closes it as the answer ends, rather than pool it
            }
            if (!(whole && answerUnderWay())) {
                // Nothing can come after the close_notify, and a server may leave the
                // connection open (Go's or OpenSSL's over TLS 1.3), where this side could
                // still write a request, to wait for the idle timeout. Closed, an idle one
                // leaves AHC's pool (a request sent on it meanwhile fails unanswered, and a GET
                // goes again); an answer not yet whole ends at once: a body the close delimits
                // whole, one with a length cut. Only a whole answer whose last part waits for
                // its request's body to go (channelRead) waits on, as that body ends.
                ctx.close();
            }
        }
        super.userEventTriggered(ctx, event);
    }

    /**
     * Whether a final answer has begun to come and AHC has yet to be given its last part: it
     * has not come whole, or its last part waits for the request's body to go (channelRead).
     */
    private boolean answerUnderWay() {
        return answering && (!whole || beforeBodyWent && writing != null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        release();
        super.exceptionCaught(ctx, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release();
        super.channelInactive(ctx);
    }

    /** Gives AHC the write's failure held back, if any. */
    private void release() {
        ChannelPromise promise = held;
        if (promise != null) {
            held = null;
            promise.tryFailure(heldCause);
            heldCause = null;
        }
    }
}
