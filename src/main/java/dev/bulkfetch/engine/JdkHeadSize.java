package dev.bulkfetch.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpResponse;
import java.net.ProtocolException;
import java.util.Iterator;
import java.util.Map;

/**
 * Holds a response's head on the event loop to the size the JDK allows its engines, counted as
 * the JDK counts it: each line, the status line too, as its name and value and 32 bytes more
 * (HTTP/2's rule, RFC 9113, 6.5.2, which the JDK applies to HTTP/1.1). Netty's codec counts the
 * bytes alone, so a head of thousands of short headers (10,000 of 12 bytes: 119 KB) was an
 * answer here and a protocol error on the blocking engines, under the same 384 KiB limit. A head
 * past it is marked as not decoded, so that {@link DecoderFailureHandler} makes it the protocol
 * error the JDK's engines give, in their words.
 *
 * <p>One per channel: it is used only by that channel's event-loop thread.
 */
final class JdkHeadSize extends ChannelInboundHandlerAdapter {

    static final String NAME = "bulkfetch-jdk-head-size";

    // What the JDK adds to each line's name and value.
    private static final int LINE_OVERHEAD = 32;

    private final int limit;

    private JdkHeadSize(int limit) {
        this.limit = limit;
    }

    /**
     * Adds the check after Netty's codec, ahead of {@link DecoderFailureHandler#DECODED}, on a
     * new channel; none when the limit is off ({@code Integer.MAX_VALUE}).
     */
    static void install(Channel channel, int limit) {
        if (limit == Integer.MAX_VALUE) {
            return;
        }
        channel.pipeline().addBefore(DecoderFailureHandler.DECODED_NAME, NAME,
                new JdkHeadSize(limit));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response && response.decoderResult().isSuccess()
                && size(response) > limit) {
            response.setDecoderResult(DecoderResult.failure(
                    new ProtocolException(Wording.headTooLarge(Integer.toString(limit)))));
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The head's size as the JDK counts it: its status line is one value with no name, ending
     * at its code when it has no reason phrase (the JDK trims the line).
     */
    static long size(HttpResponse response) {
        int reason = response.status().reasonPhrase().length();
        long size = response.protocolVersion().text().length() + 1
                + response.status().codeAsText().length() + (reason == 0 ? 0 : 1 + reason)
                + LINE_OVERHEAD;
        Iterator<Map.Entry<CharSequence, CharSequence>> lines =
                response.headers().iteratorCharSequence();
        while (lines.hasNext()) {
            Map.Entry<CharSequence, CharSequence> line = lines.next();
            size += line.getKey().length() + line.getValue().length() + LINE_OVERHEAD;
        }
        return size;
    }
}
