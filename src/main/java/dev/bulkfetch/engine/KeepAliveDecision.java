package dev.bulkfetch.engine;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetSocketAddress;
import org.asynchttpclient.Request;
import org.asynchttpclient.channel.DefaultKeepAliveStrategy;
import org.asynchttpclient.channel.KeepAliveStrategy;

/**
 * AHC's keep-alive decision, less a connection a 204 may have left bytes on. A 204 ends at its
 * headers (RFC 9112), so a server that declares a body with one and sends it leaves that body
 * on the connection, where Netty reads it as the start of the next answer: the next item sent
 * on the connection failed with a protocol error that was not its own. A 304 may declare its
 * representation's length without sending it, and often does, so its connection is kept. (The
 * JDK keeps the connection; a stray body that came in the same read as the head is lost with
 * its buffer, one that comes later spoils the next answer there, and nothing can evict it.)
 */
final class KeepAliveDecision implements KeepAliveStrategy {

    private final KeepAliveStrategy usual = new DefaultKeepAliveStrategy();

    @Override
    public boolean keepAlive(InetSocketAddress remoteAddress, Request ahcRequest,
                             HttpRequest request, HttpResponse response) {
        return usual.keepAlive(remoteAddress, ahcRequest, request, response)
                && !(response.status().code() == 204 && declaresBody(response.headers()));
    }

    private static boolean declaresBody(HttpHeaders headers) {
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        return headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                || length != null && !length.trim().equals("0");
    }
}
