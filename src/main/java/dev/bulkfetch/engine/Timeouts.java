package dev.bulkfetch.engine;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;

/**
 * A timeout's message, in the same words on every engine: which of the timeouts ran out, and
 * the limit that was set for it. The clients word them their own way, AHC with its address
 * ("Request timeout to 127.0.0.1/127.0.0.1:8080 after 1000 ms", "connection timed out after
 * 300 ms: /127.0.0.1:8080") and the JDK without a number ("Read timed out"), so the same
 * server's silence read differently by engine; the contract tests keep records identical.
 *
 * <p>Which timeout it was is told from each client's exception, down its cause chain:
 * <ul>
 *   <li>connect: Netty's {@code ConnectTimeoutException}; the JDK's "Connect timed out";
 *   <li>the TLS handshake: Netty's {@code SslHandshakeTimeoutException}; the JDK's read timeout
 *     while connecting (its socket's read timeout bounds the handshake);
 *   <li>idle: {@link IdleWatch}'s "Read timeout" (as AHC's own was worded) and Netty's
 *     {@code ReadTimeoutException}; the JDK's read timeout;
 *   <li>the whole request: any other ({@code --timeout}, AHC's "Request timeout", the engines'
 *     own deadline checks).
 * </ul>
 */
final class Timeouts {

    private Timeouts() {
    }

    /** The whole request ran past {@code options}' request timeout. */
    static FetchError request(EngineOptions options) {
        return FetchError.of(ErrorKind.TIMEOUT, "timed out: request took longer than "
                + options.requestTimeout().toMillis() + " ms");
    }

    /** The timeout {@code thrown}, a timeout by {@link Failures}' reading, is, in words. */
    static FetchError of(Throwable thrown, EngineOptions options) {
        boolean connecting = false;
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            String name = t.getClass().getSimpleName();
            String message = String.valueOf(t.getMessage());
            if (name.equals("ConnectTimeoutException")
                    || (t instanceof SocketTimeoutException
                            && message.startsWith("Connect timed out"))) {
                return FetchError.of(ErrorKind.TIMEOUT, "timed out: could not connect within "
                        + options.connectTimeout().toMillis() + " ms");
            }
            boolean read = name.equals("ReadTimeoutException")
                    || (t instanceof TimeoutException && message.startsWith("Read timeout"))
                    || (t instanceof SocketTimeoutException
                            && message.startsWith("Read timed out"));
            if (name.equals("SslHandshakeTimeoutException") || (read && connecting)) {
                // No number: the event loop bounds the whole handshake (see EventLoopEngine),
                // the JDK each silence in it.
                return FetchError.of(ErrorKind.TIMEOUT,
                        "timed out: the TLS handshake did not finish");
            }
            if (read) {
                return FetchError.of(ErrorKind.TIMEOUT, "timed out: nothing came for "
                        + options.idleTimeout().toMillis() + " ms while reading the response");
            }
            connecting |= t instanceof ConnectException;
        }
        return request(options);
    }
}
