package dev.bulkfetch.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Deque;
import java.util.Queue;

/**
 * Drops interim responses (102 Processing, 103 Early Hints, any 1xx but 100 and 101, which
 * AHC handles itself) before AHC sees them. AHC would take a 103 for the final answer, end
 * the item with it, and leave the real answer on the connection for the next request to read.
 * The JDK's client, under the blocking engines, skips them, as HTTP says a client must.
 *
 * <p>And after any interim response (a 100 too) it gives Netty's codec back the method of the
 * request in flight. The codec pairs each response with a request's method, which it takes
 * from a queue of those sent, for a 1xx as for the final answer: the final answer to a HEAD
 * that had an interim one was read as a GET's, and the event loop waited for the body its
 * {@code Content-Length} declared until {@code --idle-timeout}, or counted one sent anyway.
 * The queue is the codec's private field, reached by a private lookup; if that is refused,
 * the method is not given back.
 *
 * <p>One per channel: it is used only by that channel's event-loop thread.
 */
final class InterimResponses extends ChannelDuplexHandler {

    static final String NAME = "bulkfetch-interim-responses";

    // Netty's HttpClientCodec.queue: the methods of the requests sent and not yet answered.
    private static final VarHandle METHODS;

    static {
        VarHandle methods;
        try {
            methods = MethodHandles.privateLookupIn(HttpClientCodec.class, MethodHandles.lookup())
                    .findVarHandle(HttpClientCodec.class, "queue", Queue.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            methods = null;
        }
        METHODS = methods;
    }

    // True from an interim response's head to its (empty) last part.
    private boolean dropping;
    // The method of the request sent whose final answer has not come; null when none.
    private HttpMethod awaiting;

    /** Adds the filter between Netty's codec and AHC on a new channel. */
    static void install(Channel channel) {
        channel.pipeline().addBefore("ahc-http", NAME, new InterimResponses());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
            throws Exception {
        if (msg instanceof HttpRequest request) {
            // On its way to the codec, which queues the method as it encodes the request.
            awaiting = request.method();
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response) {
            int status = response.status().code();
            boolean interim = status >= 100 && status < 200 && status != 101;
            if (interim && awaiting != null) {
                // The codec took the method for this response; the final one is to have it.
                requeue(ctx.channel(), awaiting);
            } else if (!interim) {
                awaiting = null;
            }
            dropping = interim && status != 100;
        }
        if (!dropping) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof LastHttpContent) {
            dropping = false;
        }
        if (msg instanceof HttpContent || msg instanceof HttpResponse) {
            ReferenceCountUtil.release(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Puts {@code method} first in the queue of {@code channel}'s codec, which decodes the
     * next response only after this one is handed on (Netty's decoder hands on what one
     * decoding made before it decodes more).
     */
    @SuppressWarnings("unchecked")
    private static void requeue(Channel channel, HttpMethod method) {
        if (METHODS != null && channel.pipeline().get("http") instanceof HttpClientCodec codec
                && METHODS.get(codec) instanceof Deque<?> queue) {
            ((Deque<HttpMethod>) queue).addFirst(method);
        }
    }
}
