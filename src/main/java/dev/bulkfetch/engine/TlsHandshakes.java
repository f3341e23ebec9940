package dev.bulkfetch.engine;

import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The JDK's TLS sockets, made so that a failure in their handshake says so, as the event
 * loop's does. The JDK's own say "Connection reset" of a reset in the handshake, as of one
 * before it. Here a failure in the handshake, whatever it is, becomes an {@link
 * SSLHandshakeException} (a timeout stays one): {@link Failures} counts those, and only
 * those, among TLS handshake failures. A TLS error on a connection whose handshake was done
 * (a record that fails its MAC) is an error of that connection, not of its handshake; so is
 * a reset after it, even where the server asked for a client certificate and was given none:
 * a server that only wants one (kube-apiserver, nginx's optional verify) takes the request,
 * and a connect error would have a POST it got sent again.
 *
 * <p>One factory for each trust, made once and shared: the JDK keeps a connection alive for
 * reuse under its factory, the same object, so one made per connection would reuse none. A
 * connection costs one wrapping socket; its reads go straight to the JDK's, its writes
 * through a stream that notes one is under way (see {@link Watched}).
 */
final class TlsHandshakes extends SSLSocketFactory {

    private final Supplier<SSLSocketFactory> source;
    // Made on the first TLS connection: the JDK's TLS stack (its security providers, a
    // SecureRandom) costs a run of plain http URLs 13 to 20 ms of its start (StartUpTest).
    private volatile SSLSocketFactory sockets;

    private TlsHandshakes(Supplier<SSLSocketFactory> source) {
        this.source = source;
    }

    /**
     * A factory of {@code source}'s sockets whose handshake failures say so; {@code source}
     * is asked once, when the first is needed.
     */
    static SSLSocketFactory watching(Supplier<SSLSocketFactory> source) {
        return new TlsHandshakes(source);
    }

    private SSLSocketFactory sockets() {
        SSLSocketFactory made = sockets;
        if (made == null) {
            synchronized (this) {
                made = sockets;
                if (made == null) {
                    made = source.get();
                    sockets = made;
                }
            }
        }
        return made;
    }

    /**
     * A plain socket, for the JDK to connect and then hand to {@link #createSocket(Socket,
     * String, int, boolean)}: the TCP connect is done, and its failures are its own, before
     * any socket of this factory's. (Left unimplemented, the JDK does the same after an
     * exception made for each connection, which says so.) Refused to an exchange that is
     * over ({@link ConnectGate}): the JDK asks here for each connection it opens.
     */
    @Override
    public Socket createSocket() throws IOException {
        ConnectGate.check();
        return new Socket();
    }

    /**
     * {@code plain}, connected, as a TLS socket. Refused, and {@code plain} closed, to an
     * exchange that is over ({@link ConnectGate}): a connection the JDK opened by itself and
     * connected after the deadline goes on to no handshake and no wait for an answer.
     */
    @Override
    public Socket createSocket(Socket plain, String host, int port, boolean autoClose)
            throws IOException {
        try {
            ConnectGate.check();
        } catch (ConnectGate.Refused refused) {
            plain.close();
            throw refused;
        }
        return new Watched((SSLSocket) sockets().createSocket(plain, host, port, autoClose),
                plain);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        ConnectGate.check();
        return new Watched((SSLSocket) sockets().createSocket(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort)
            throws IOException {
        ConnectGate.check();
        return new Watched((SSLSocket) sockets().createSocket(host, port, local, localPort),
                null);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        ConnectGate.check();
        return new Watched((SSLSocket) sockets().createSocket(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
            throws IOException {
        ConnectGate.check();
        return new Watched((SSLSocket) sockets().createSocket(host, port, local, localPort),
                null);
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return sockets().getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return sockets().getSupportedCipherSuites();
    }

    /**
     * {@code failure}, the server's close or reset of the connection in the handshake, in the
     * event loop's words for it: Netty fails the handshake the same for both.
     */
    private static SSLHandshakeException ended(IOException failure) {
        SSLHandshakeException handshake = new SSLHandshakeException(Wording.HANDSHAKE_ENDED);
        handshake.initCause(failure);
        return handshake;
    }

    /**
     * {@code failure}, met in the handshake, as a failure of the handshake: in the TLS
     * client's words, or, for one of the connection's ("Connection reset"), in its own
     * words and where it came.
     */
    private static SSLHandshakeException inHandshake(IOException failure) {
        String message = failure.getMessage() != null ? failure.getMessage()
                : failure.getClass().getSimpleName();
        SSLHandshakeException handshake = new SSLHandshakeException(
                failure instanceof SSLException ? message : message + " during the TLS handshake");
        handshake.initCause(failure);
        return handshake;
    }

    /**
     * One connection's socket; used by one thread at a time, as the JDK's connection is, and
     * closed by it or by another (the engine's close, a caller's cancel, a deadline's abort).
     *
     * <p>A close from another thread while a write is under way closes the TCP connection
     * under the TLS socket first. The TLS socket's own close says close_notify, which takes
     * the lock the write holds: a write the server stopped reading (a stalled upload) holds
     * it until the server goes, and so did the close, and the request ran past its deadline
     * for as long. Closing the connection ends the write, and the TLS close then finds it
     * closed and says nothing. No close_notify is lost that could have reached the server:
     * it would have queued behind the body the server is not reading. A close with no write
     * under way (the JDK's own, of a connection it is done with) says close_notify as ever.
     */
    private static final class Watched extends DelegatingSslSocket {

        // The TCP connection the TLS socket was layered over; null where the factory
        // connected the TLS socket itself (the JDK's connections never are).
        private final Socket plain;
        private boolean handshaken;
        // Set by a close from this side (the engine's close, a caller's cancel, a deadline's
        // abort), on whichever thread makes it: the JDK's socket is closed after a reset too.
        private volatile boolean closedHere;
        // Set by the connection's thread while it is in a write; read by a closing thread.
        private volatile boolean writing;

        Watched(SSLSocket delegate, Socket plain) {
            super(delegate);
            this.plain = plain;
        }

        @Override
        public void close() throws IOException {
            closedHere = true;
            if (writing && plain != null) {
                plain.close();  // ends the write, and its hold on the lock the close needs
            }
            super.close();
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return new FilterOutputStream(delegate.getOutputStream()) {
                @Override
                public void write(int b) throws IOException {
                    writing = true;
                    try {
                        refuseIfClosed();
                        out.write(b);
                    } finally {
                        writing = false;
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    writing = true;
                    try {
                        refuseIfClosed();
                        out.write(b, off, len);
                    } finally {
                        writing = false;
                    }
                }
            };
        }

        /**
         * Refuses a write that begins while another thread closes the socket: that close saw
         * no write under way, and the write would take the TLS lock first and hold the close's
         * close_notify behind a body the server does not read (found by review). Both flags
         * are volatile, so the close sees the write begun or the write sees the close.
         */
        private void refuseIfClosed() throws java.net.SocketException {
            if (closedHere) {
                throw new java.net.SocketException("Socket closed");
            }
        }

        @Override
        public void startHandshake() throws IOException {
            if (handshaken) {
                delegate.startHandshake();  // asked again: a renegotiation, not ours to watch
                return;
            }
            try {
                delegate.startHandshake();
            } catch (SocketTimeoutException e) {
                throw e;  // a timeout is one, in the handshake or not
            } catch (SSLHandshakeException e) {
                // The JDK's "Remote host terminated the handshake" of a close, in the words
                // the event loop has for it; any other says what failed.
                throw e.getCause() instanceof EOFException ? ended(e) : e;
            } catch (IOException e) {
                // Closed from this side: no failure of the server's handshake, so not one of
                // the run's TLS failures.
                throw closedHere ? e : e instanceof SocketException ? ended(e) : inHandshake(e);
            }
            handshaken = true;
        }
    }
}
