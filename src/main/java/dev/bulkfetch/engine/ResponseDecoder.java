package dev.bulkfetch.engine;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import org.asynchttpclient.netty.channel.ChannelManager;

/**
 * The event loop's HTTP codec, in place of the one AHC adds to each new channel: AHC builds
 * it from a few numbers of its config, while Netty 4.2 takes its other settings from a
 * {@link HttpDecoderConfig} only, and one of them is read here as the JDK's engines read it.
 *
 * <ul>
 *   <li>Line ends: a response whose lines end in a bare line feed, as some embedded and
 *   hand-written servers send, is read, as the JDK and curl read it (and Netty 4.1 did). Netty
 *   4.2 refuses it by default, a guard for servers against request smuggling behind a proxy;
 *   a client reading its own answer has no proxy to disagree with, and the same answer was an
 *   {@code ok} item on the other engines and a {@code protocol} error here.
 *   <li>Sizes: the status line and headers may take as many bytes as the JDK allows its
 *   engines ({@link EventLoopEngine#maxHeaderBytes}), not AHC's 8 KiB: a long
 *   Content-Security-Policy or a few cookies pass that, and an answer the blocking engines
 *   read must not be a protocol error here. The JDK counts the status line in it too, where
 *   Netty's own limit for that line is 4 KiB.
 * </ul>
 * The rest is as AHC had it: Netty's defaults, headers validated.
 */
final class ResponseDecoder {

    private ResponseDecoder() {
    }

    /** Puts the codec in the place of AHC's on a new channel, under the same name. */
    static void install(Channel channel, int headerLimit) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(headerLimit)
                .setMaxHeaderSize(headerLimit)
                .setStrictLineParsing(false);
        channel.pipeline().replace(ChannelManager.HTTP_CLIENT_CODEC,
                ChannelManager.HTTP_CLIENT_CODEC, new HttpClientCodec(decoder, false, false));
    }
}
