package dev.bulkfetch.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Drops interim responses (102 Processing, 103 Early Hints, any 1xx but 100 and 101, which
 * AHC handles itself) before AHC sees them. AHC would take a 103 for the final answer, end
 * the item with it, and leave the real answer on the connection for the next request to read.
 * The JDK's client, under the blocking engines, skips them, as HTTP says a client must.
 *
 * <p>One per channel: it is used only by that channel's event-loop thread.
 */
final class InterimResponses extends ChannelInboundHandlerAdapter {

    static final String NAME = "bulkfetch-interim-responses";

    // True from an interim response's head to its (empty) last part.
    private boolean dropping;

    /** Adds the filter between Netty's codec and AHC on a new channel. */
    static void install(Channel channel) {
        channel.pipeline().addBefore("ahc-http", NAME, new InterimResponses());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response) {
            int status = response.status().code();
            dropping = status >= 102 && status < 200;
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
}
