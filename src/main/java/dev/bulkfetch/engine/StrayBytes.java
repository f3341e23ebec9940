package dev.bulkfetch.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import org.asynchttpclient.netty.DiscardEvent;
import org.asynchttpclient.netty.NettyResponseFuture;
import org.asynchttpclient.netty.channel.Channels;

/**
 * Keeps a connection on which the server sent more than its answer (a body after a HEAD or a
 * 304, bytes past the Content-Length) out of the pool. Netty's codec, rightly, reads no body
 * there, so what was left over became the start of the next answer on that connection: the
 * next item, another URL, failed as a {@code protocol} error, or was given the excess as its
 * body. curl does the same: excess bytes after an answer mark its connection for closing.
 *
 * <p>Two checks. {@link #AT_END}, after the codec: when an answer ends with bytes the codec has
 * yet to decode (other than line breaks), its connection is not kept alive. {@link #WHILE_IDLE},
 * before the codec: bytes on a connection AHC has marked to discard (in the pool, or done
 * with), which came after the answer, close it. The codec keeps its pending bytes in a field of
 * its own, read here by a private lookup (Netty's {@code ByteToMessageDecoder.cumulation}); if
 * that lookup is refused, only the second check is made.
 */
final class StrayBytes {

    static final String WHILE_IDLE_NAME = "bulkfetch-stray-bytes-idle";
    static final String AT_END_NAME = "bulkfetch-stray-bytes-end";
    static final ChannelHandler WHILE_IDLE = new WhileIdle();
    static final ChannelHandler AT_END = new AtEnd();

    private static final MethodHandle DECODER;
    private static final VarHandle PENDING;

    static {
        MethodHandle decoder = null;
        VarHandle pending = null;
        try {
            decoder = MethodHandles.privateLookupIn(CombinedChannelDuplexHandler.class,
                    MethodHandles.lookup()).findVirtual(CombinedChannelDuplexHandler.class,
                    "inboundHandler", MethodType.methodType(ChannelInboundHandler.class));
            pending = MethodHandles.privateLookupIn(ByteToMessageDecoder.class,
                    MethodHandles.lookup()).findVarHandle(ByteToMessageDecoder.class,
                    "cumulation", ByteBuf.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            decoder = null;
            pending = null;
        }
        DECODER = decoder;
        PENDING = pending;
    }

    private StrayBytes() {
    }

    /**
     * Adds both checks around Netty's HTTP codec on a new channel, after
     * {@link DecoderFailureHandler#install}: the idle check goes first, so stray bytes it drops
     * are not taken for the start of an answer (whose close would read as one cut short).
     */
    static void install(Channel channel) {
        channel.pipeline().addBefore(DecoderFailureHandler.RAW_NAME, WHILE_IDLE_NAME,
                WHILE_IDLE);
        channel.pipeline().addBefore("ahc-http", AT_END_NAME, AT_END);
    }

    /** Whether {@code bytes} holds more than line breaks, which Netty's codec skips. */
    private static boolean beyondLineBreaks(ByteBuf bytes) {
        return bytes.forEachByte(b -> b == '\r' || b == '\n') >= 0;
    }

    /** Whether the codec of {@code channel} holds bytes other than line breaks. */
    private static boolean codecHoldsExcess(Channel channel) {
        ByteBuf pending = pending(channel);
        return pending != null && beyondLineBreaks(pending);
    }

    /** Whether {@link #pending} can see what a codec holds (its private lookup was allowed). */
    static boolean seesPending() {
        return DECODER != null;
    }

    /**
     * What the codec of {@code channel} holds yet to decode, to read then and there, or null
     * when that cannot be seen. On the channel's event loop only.
     */
    static ByteBuf pending(Channel channel) {
        if (DECODER == null || !(channel.pipeline().get("http")
                instanceof CombinedChannelDuplexHandler<?, ?> codec)) {
            return null;
        }
        try {
            Object decoder = DECODER.invoke(codec);
            if (!(decoder instanceof ByteToMessageDecoder)) {
                return null;
            }
            ByteBuf pending = (ByteBuf) PENDING.get((ByteToMessageDecoder) decoder);
            return pending == null ? Unpooled.EMPTY_BUFFER : pending;
        } catch (Throwable e) {
            return null;
        }
    }

    @ChannelHandler.Sharable
    private static final class AtEnd extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof LastHttpContent && codecHoldsExcess(ctx.channel())
                    && Channels.getAttribute(ctx.channel()) instanceof NettyResponseFuture<?> f) {
                // Read by AHC as the answer ends, before it would offer the connection to the
                // pool: so it closes it instead.
                f.setKeepAlive(false);
            }
            ctx.fireChannelRead(msg);
        }
    }

    @ChannelHandler.Sharable
    private static final class WhileIdle extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes && beyondLineBreaks(bytes)
                    && Channels.getAttribute(ctx.channel()) == DiscardEvent.DISCARD) {
                // Nothing was asked on this connection.
                bytes.release();
                ctx.channel().close();
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }
}
