package dev.bulkfetch.engine;

import dev.bulkfetch.FetchRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends the requests of one {@link BlockingExchange} (a redirect's chain has a few), each on
 * a connection opened for it: the connection set up ({@link ConnectionSetUp}) with what the
 * request has left of its deadline, made, and the body written, each step only while the
 * deadline holds and the engine is not closing. On the exchange's thread; the exchange keeps
 * what the threads that end it read, told of each connection as it is made.
 */
final class ExchangeRequests {

    private final EngineOptions options;
    // The engine's TLS sockets, one factory for all its connections (see TlsHandshakes).
    private final SSLSocketFactory tls;
    private final ExchangeConnections connections;
    private final ExchangeDeadline deadline;
    // Told of each connection before anything is sent on it, for the exchange's abort.
    private final Consumer<HttpURLConnection> inUse;

    ExchangeRequests(EngineOptions options, SSLSocketFactory tls,
                     ExchangeConnections connections, ExchangeDeadline deadline,
                     Consumer<HttpURLConnection> inUse) {
        this.options = options;
        this.tls = tls;
        this.connections = connections;
        this.deadline = deadline;
        this.inUse = inUse;
    }

    /**
     * Opens a connection for {@code request} and sends it: its head, and its body if it has
     * one. Throws once the deadline passes or the engine closes before it is sent.
     */
    HttpURLConnection open(FetchRequest request) throws IOException {
        connections.opening(request.url());
        HttpURLConnection conn = (HttpURLConnection) request.url().toURL()
                .openConnection(Proxy.NO_PROXY);
        inUse.accept(conn);
        if (deadline.closing()) {
            // close() may have passed this exchange before it had this connection.
            throw new java.util.concurrent.CancellationException("engine closed");
        }
        ConnectionSetUp.prepare(conn, options.insecure(), tls);
        // What the request has left bounds the connection's timeouts (see
        // ConnectionSetUp.timeouts); with nothing left, it has timed out.
        long left = deadline.leftNanos();
        if (left <= 0) {
            deadline.timedOut();
            throw new java.net.SocketTimeoutException("request deadline passed");
        }
        ConnectionSetUp.timeouts(conn, options, left);
        ConnectionSetUp.headers(conn, request);
        if (connections.unkept() && conn.getRequestProperty("Connection") == null) {
            // No slot to keep this connection in, and a response without a body (to a
            // HEAD, a 204) is back in the JDK's cache before it can be closed: the server
            // closes it instead.
            conn.setRequestProperty("Connection", "close");
        }
        byte[] body = ConnectionSetUp.body(conn, request);
        try {
            // Made here, not by the first write or read, so that a failure while making it
            // (TLS handshake included) is told apart as AHC tells it: see Failures.
            conn.connect();
        } catch (IOException e) {
            throw (IOException) new java.net.ConnectException(e.getMessage()).initCause(e);
        }
        if (deadline.passed()) {
            // Cancelled, or out of time, while connecting (a disconnect cannot reach a
            // connect under way): nothing of the request goes.
            connections.disconnect(conn);
            throw new java.net.SocketTimeoutException("request deadline passed while "
                    + "connecting");
        }
        if (body != null) {
            sendBody(conn, body);
        }
        return conn;
    }

    /**
     * Writes the request's body. A write blocked on a server that stopped reading ends only as
     * the deadline, a cancel or close() closes the connection, and the JDK keeps that quiet
     * (its PrintStream notes the failure, and nothing asks), or, closed before its stream was
     * made, fails inside the JDK (a NullPointerException): either way the item ends as its
     * abort says. Read after a quiet one, the answer was waited for on a new connection the
     * JDK opened in place of the closed one, with nothing sent on it, for the time the
     * request had left: twice --timeout in all.
     */
    private void sendBody(HttpURLConnection conn, byte[] body) throws IOException {
        try (OutputStream out = conn.getOutputStream()) {
            out.write(body);
        } catch (IOException | RuntimeException e) {
            deadline.checkAborted(e);
            throw e;
        }
        deadline.checkAborted(null);
    }
}
