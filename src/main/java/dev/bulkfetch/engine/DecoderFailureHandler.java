package dev.bulkfetch.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * Makes AHC report a response that is not valid HTTP as an error of its own, so a server fault
 * reads the same on every engine: bytes that are not HTTP, or a response cut off in the middle,
 * are {@code protocol}; a connection closed or reset before any byte is {@code reset}.
 *
 * <p>AHC alone reports both as "remotely closed": Netty marks undecodable input with a failed
 * {@link DecoderResult}, which AHC ignores, and random bytes without a line break are never
 * decoded at all. So two handlers sit around Netty's codec: {@link #RAW} before it notes that
 * bytes of a response have arrived, {@link #DECODED} after it fails a message Netty could not
 * decode, and a channel that closes while a response is unfinished fails with a
 * {@link DecoderException} before AHC learns of the close. Both say what was wrong in
 * {@link Wording}'s words, as the JDK's engines do: a body cut off says how far it came.
 */
final class DecoderFailureHandler {

    static final String RAW_NAME = "bulkfetch-raw-watch";
    static final String DECODED_NAME = "bulkfetch-decoded-check";
    static final ChannelHandler RAW = new Raw();
    static final ChannelHandler DECODED = new Decoded();

    // Per channel: true from the first byte of a response to its last decoded part.
    private static final AttributeKey<Boolean> UNFINISHED =
            AttributeKey.valueOf("bulkfetch.unfinished");
    // Per channel: true while the response in progress has neither a length nor chunks, so
    // its body ends where the connection does, and a close is its end, not a cut.
    private static final AttributeKey<Boolean> CLOSE_DELIMITED =
            AttributeKey.valueOf("bulkfetch.close-delimited");
    // Per channel: the body of the response in progress, from its head to its last part, so
    // that a close in the middle of it says how far it came, as the JDK's engines say.
    private static final AttributeKey<Body> BODY = AttributeKey.valueOf("bulkfetch.body");

    /**
     * A body so far: the length its head declared (-1: none, or chunked), the bytes come.
     * Used only by its channel's event-loop thread.
     */
    private static final class Body {
        final long declared;
        long bytes;

        Body(long declared) {
            this.declared = declared;
        }
    }

    private DecoderFailureHandler() {
    }

    /** Adds both handlers around AHC's codec on a new channel. */
    static void install(Channel channel) {
        channel.pipeline().addBefore("http", RAW_NAME, RAW);
        channel.pipeline().addBefore("ahc-http", DECODED_NAME, DECODED);
    }

    @ChannelHandler.Sharable
    private static final class Raw extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                ctx.channel().attr(UNFINISHED).set(Boolean.TRUE);
                // AHC moves the exchange's idle clock (IdleWatch's) only for what its codec has
                // decoded: headers or chunk sizes trickling in, or a 103 that InterimResponses
                // drops, left it still, and --idle-timeout ended a response whose server had
                // never gone quiet.
                if (org.asynchttpclient.netty.channel.Channels.getAttribute(ctx.channel())
                        instanceof org.asynchttpclient.netty.NettyResponseFuture<?> future) {
                    future.touch();
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            boolean closeDelimited = Boolean.TRUE.equals(ctx.channel().attr(CLOSE_DELIMITED)
                    .getAndSet(Boolean.FALSE));
            Body body = ctx.channel().attr(BODY).getAndSet(null);
            if (Boolean.TRUE.equals(ctx.channel().attr(UNFINISHED).getAndSet(Boolean.FALSE))
                    && !closeDelimited) {
                ctx.fireExceptionCaught(new DecoderException(body != null
                        ? Wording.cutOff(body.bytes, body.declared)
                        : "invalid HTTP response: the connection closed in the middle of it"));
            }
            super.channelInactive(ctx);
        }
    }

    @ChannelHandler.Sharable
    private static final class Decoded extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpObject http && http.decoderResult().isFailure()) {
                Throwable cause = http.decoderResult().cause();
                boolean inHead = msg instanceof HttpResponse;
                ReferenceCountUtil.release(msg);
                ctx.channel().attr(UNFINISHED).set(Boolean.FALSE);
                ctx.channel().attr(BODY).set(null);
                ctx.fireExceptionCaught(failure(cause, inHead));
                ctx.close();
                return;
            }
            if (msg instanceof HttpResponse response) {
                boolean chunked = HttpUtil.isTransferEncodingChunked(response);
                ctx.channel().attr(CLOSE_DELIMITED).set(!HttpUtil.isContentLengthSet(response)
                        && !chunked);
                // Chunks rule over a length, as Netty reads them.
                ctx.channel().attr(BODY).set(new Body(chunked ? -1
                        : HttpUtil.getContentLength(response, -1L)));
            }
            if (msg instanceof HttpContent content) {
                Body body = ctx.channel().attr(BODY).get();
                if (body != null) {
                    body.bytes += content.content().readableBytes();
                }
            }
            if (msg instanceof LastHttpContent) {
                ctx.channel().attr(UNFINISHED).set(Boolean.FALSE);
                ctx.channel().attr(CLOSE_DELIMITED).set(Boolean.FALSE);
                ctx.channel().attr(BODY).set(null);
            }
            ctx.fireChannelRead(msg);
        }

        /**
         * What the codec's refusal ({@code cause}, of the head when {@code inHead}) fails the
         * exchange with: in {@link Wording}'s words, with no cause, as AHC would keep only
         * that (it fails a request with the innermost cause); one not known there keeps
         * Netty's.
         */
        private static DecoderException failure(Throwable cause, boolean inHead) {
            String words = Wording.ofDecoder(cause, inHead);
            if (words == null) {
                return new DecoderException("invalid HTTP response: " + cause.getMessage(),
                        cause);
            }
            DecoderException failure = new DecoderException(words);
            failure.addSuppressed(cause);  // for a debugger: AHC follows causes only
            return failure;
        }
    }
}
