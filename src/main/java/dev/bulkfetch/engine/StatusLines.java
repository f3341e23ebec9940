package dev.bulkfetch.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.ProtocolException;

/**
 * Gives {@link StatusCodes} each response's status line as it came on the event loop, where
 * Netty's codec hands on only the number it parsed (a {@code +200} and a {@code 0200} both
 * 200). A response whose line is refused is marked as not decoded, so that
 * {@link DecoderFailureHandler} makes it a protocol error.
 *
 * <p>The line is copied from the bytes before the codec, from where a response starts, which
 * is known once the previous one ends: the first bytes on the connection, or those after a
 * response's last part. The codec may already hold those after an interim response (a 103
 * and its final response come in one packet), so at its last part what the codec holds is read
 * too ({@link StrayBytes#pending}); not after a final one, where no next response can have
 * come yet (the next request is not sent) and the lookup on every response made 20,000 URLs
 * at -c 64 up to 5% slower (5% and 3% in two runs of 11, nothing in a third, with
 * {@code bench/ab.py 11 before 'BULKFETCH_JAR=A ./bulkfetch fetch LIST -c 64 -q -o a.jsonl'
 * after 'BULKFETCH_JAR=B ...'} against a stock WireMock answering every URL at once).
 * Where that lookup is refused, nothing is installed, and only the parsed number is checked.
 *
 * <p>One per channel: it is used only by that channel's event-loop thread.
 */
final class StatusLines {

    static final String RAW_NAME = "bulkfetch-status-line-raw";
    static final String DECODED_NAME = "bulkfetch-status-line-check";

    // The code is near the start; a longer line is kept only this far.
    private static final int MAX_CHARS = 1024;

    // True from a response's last part until the next status line's line feed.
    private boolean awaiting = true;
    // The next status line so far, while awaiting.
    private final StringBuilder partial = new StringBuilder();
    // The status line of the response the codec hands on next; null if not seen.
    private String line;
    // Whether the response being handed on is an interim one (1xx), a final one to follow.
    private boolean interim;

    private StatusLines() {
    }

    /**
     * Adds the copy before Netty's codec and the check after it, ahead of
     * {@link DecoderFailureHandler#DECODED}, on a new channel.
     */
    static void install(Channel channel) {
        if (!StrayBytes.seesPending()) {
            return;
        }
        StatusLines lines = new StatusLines();
        channel.pipeline().addBefore("http", RAW_NAME, lines.new Raw());
        channel.pipeline().addBefore(DecoderFailureHandler.DECODED_NAME, DECODED_NAME,
                lines.new Decoded());
    }

    /** Copies what {@code bytes} hold of the awaited status line, as the codec reads it. */
    private void copy(ByteBuf bytes) {
        for (int i = bytes.readerIndex(); awaiting && i < bytes.writerIndex(); i++) {
            char c = (char) bytes.getUnsignedByte(i);
            if (partial.isEmpty() && (c <= ' ' || c == 0x7f)) {
                // Before a response the codec skips ASCII controls and whitespace, line breaks
                // too (a server's stray one after its last answer): no line has begun.
                continue;
            }
            if (c == '\n') {
                awaiting = false;
                line = partial.toString();
            } else if (partial.length() < MAX_CHARS) {
                partial.append(c);
            }
        }
    }

    private final class Raw extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (awaiting && msg instanceof ByteBuf bytes) {
                copy(bytes);
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class Decoded extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpResponse response) {
                interim = response.status().code() < 200;
                String problem = line == null ? null : StatusCodes.problem(line);
                line = null;
                if (problem != null && response.decoderResult().isSuccess()) {
                    response.setDecoderResult(DecoderResult.failure(
                            new ProtocolException(problem)));
                }
            }
            if (msg instanceof LastHttpContent) {
                partial.setLength(0);
                line = null;
                awaiting = true;
                if (interim) {
                    // The final response may have come in the same read, and sit in the codec
                    // already. After a final one nothing can: the next request is not sent yet.
                    ByteBuf pending = StrayBytes.pending(ctx.channel());
                    // Not seen, the codec's bytes leave the next line unknown: no check for it.
                    awaiting = pending != null;
                    if (pending != null) {
                        copy(pending);
                    }
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
