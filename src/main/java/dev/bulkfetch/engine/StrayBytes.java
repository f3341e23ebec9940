package dev.bulkfetch.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.asynchttpclient.netty.DiscardEvent;
import org.asynchttpclient.netty.channel.Channels;

/**
 * Closes a kept-alive connection on which the server sent more than its answer: a body after a
 * HEAD or a 304, or bytes past the Content-Length. Netty's codec, rightly, reads no body there,
 * so what is left over became the start of the next answer on that connection: the next item,
 * on another URL, failed as a {@code protocol} error, or was given the leftover as its body.
 * curl does the same: excess bytes after an answer mark its connection for closing.
 *
 * <p>A connection is idle when AHC has marked it to discard what arrives (in the pool, or
 * done with); bytes that come then, or that the codec left unread when its answer ended there,
 * are the server's excess. The next request takes a new connection.
 */
@ChannelHandler.Sharable
final class StrayBytes extends ChannelInboundHandlerAdapter {

    static final String NAME = "bulkfetch-stray-bytes";
    private static final StrayBytes INSTANCE = new StrayBytes();

    private StrayBytes() {
    }

    /** Adds the check before Netty's HTTP codec on a new channel. */
    static void install(Channel channel) {
        channel.pipeline().addBefore("http", NAME, INSTANCE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes) || !bytes.isReadable()) {
            ctx.fireChannelRead(msg);
            return;
        }
        Channel channel = ctx.channel();
        if (idle(channel)) {
            // Late excess: nothing was asked on this connection.
            bytes.release();
            channel.close();
            return;
        }
        // The codec keeps this very buffer as what it has yet to decode (when it had nothing
        // pending): still readable once the answer ended means bytes beyond it.
        bytes.retain();
        try {
            ctx.fireChannelRead(bytes);
            if (bytes.isReadable() && idle(channel)) {
                channel.close();
            }
        } finally {
            bytes.release();
        }
    }

    private static boolean idle(Channel channel) {
        return Channels.getAttribute(channel) == DiscardEvent.DISCARD;
    }
}
