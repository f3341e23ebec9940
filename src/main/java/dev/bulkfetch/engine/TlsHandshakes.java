package dev.bulkfetch.engine;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.util.function.Supplier;

/**
 * The JDK's TLS sockets, made so that a failure in their handshake says so, as the event
 * loop's does. The JDK's own say "Connection reset" of a reset in the handshake, as of one
 * before it, and a TLS 1.3 server that refuses a client without a certificate does so after
 * the client's side of the handshake is done, which the JDK then reports as "Error writing
 * to server". Here a failure in the handshake, whatever it is, becomes an {@link
 * SSLHandshakeException} (a timeout stays one), and so does the first failure of a
 * connection whose TLS 1.3 server asked for a certificate that was not given, before any
 * byte of an answer: {@link Failures} counts those, and only those, among TLS handshake
 * failures. A TLS error on a connection whose handshake was done and answered (a record that
 * fails its MAC) is an error of that connection, not of its handshake.
 *
 * <p>One factory for each trust, made once and shared: the JDK keeps a connection alive for
 * reuse under its factory, the same object, so one made per connection would reuse none. A
 * connection costs one wrapping socket, with two small streams only in the rare case of a
 * certificate asked for and not given; its reads and writes otherwise go straight to the
 * JDK's socket.
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
     * exception made for each connection, which says so.)
     */
    @Override
    public Socket createSocket() {
        return new Socket();
    }

    @Override
    public Socket createSocket(Socket plain, String host, int port, boolean autoClose)
            throws IOException {
        return new Watched((SSLSocket) sockets().createSocket(plain, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return new Watched((SSLSocket) sockets().createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort)
            throws IOException {
        return new Watched((SSLSocket) sockets().createSocket(host, port, local, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return new Watched((SSLSocket) sockets().createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
            throws IOException {
        return new Watched((SSLSocket) sockets().createSocket(host, port, local, localPort));
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

    /** One connection's socket; used by one thread at a time, as the JDK's connection is. */
    private static final class Watched extends DelegatingSslSocket {

        private boolean handshaken;
        // Made once the handshake is done, if its TLS 1.3 server asked for a certificate
        // that was not given: the server's verdict on it is still to come.
        private Refusal refusal;

        Watched(SSLSocket delegate) {
            super(delegate);
        }

        @Override
        public void startHandshake() throws IOException {
            if (handshaken) {
                delegate.startHandshake();  // asked again: a renegotiation, not ours to watch
                return;
            }
            try {
                delegate.startHandshake();
            } catch (SocketTimeoutException | SSLHandshakeException e) {
                throw e;  // a timeout is one, in the handshake or not; the other says so
            } catch (IOException e) {
                throw inHandshake(e);
            }
            handshaken = true;
            if (certificateAskedAndNotGiven(delegate.getSession())) {
                refusal = new Refusal();
            }
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return refusal == null ? delegate.getInputStream()
                    : refusal.input(delegate.getInputStream());
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return refusal == null ? delegate.getOutputStream()
                    : refusal.output(delegate.getOutputStream());
        }
    }

    /**
     * Whether a TLS 1.3 server asked for a client certificate (its request named the
     * signatures it takes) and was given none: it answers that, a refusal or not, only after
     * the client's handshake is done. Before 1.3 it answered in the handshake.
     */
    static boolean certificateAskedAndNotGiven(SSLSession session) {
        return "TLSv1.3".equals(session.getProtocol()) && session.getLocalCertificates() == null
                && session instanceof ExtendedSSLSession extended
                && extended.getPeerSupportedSignatureAlgorithms().length > 0;
    }

    /**
     * {@code failure}, before any answer on a connection whose server asked for a client
     * certificate and was given none ({@link #certificateAskedAndNotGiven}), as the refusal
     * it is: a server that wants a certificate may end such a connection without an alert.
     */
    static SSLHandshakeException refused(Throwable failure) {
        SSLHandshakeException refused = new SSLHandshakeException("the server ended the "
                + "connection after the TLS handshake, where it had asked for a client "
                + "certificate and none was given");
        refused.initCause(failure);
        return refused;
    }

    /**
     * A connection whose server may refuse it for want of a certificate: until a byte of its
     * answer comes, its failure is that refusal. A write that fails is kept for the next
     * read to report: the JDK's client takes a failed write of its request for a connection
     * gone stale, and opens another, to be refused the same way, then says only "Error
     * writing to server".
     */
    private static final class Refusal {

        private boolean answered;
        private IOException writeFailed;

        InputStream input(InputStream in) {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (answered) {
                        return in.read(b, off, len);
                    }
                    if (writeFailed != null) {
                        throw refused(writeFailed);
                    }
                    int read;
                    try {
                        read = in.read(b, off, len);
                    } catch (SocketTimeoutException | SSLException e) {
                        throw e;  // silence is no refusal; the server's own alert says more
                    } catch (IOException e) {
                        throw refused(e);
                    }
                    if (read < 0) {
                        throw refused(new EOFException("closed without an answer"));
                    }
                    answered = read > 0;
                    return read;
                }

                @Override
                public int available() throws IOException {
                    return in.available();
                }

                @Override
                public void close() throws IOException {
                    in.close();
                }
            };
        }

        OutputStream output(OutputStream out) {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (answered) {
                        out.write(b, off, len);
                    } else if (writeFailed == null) {
                        try {
                            out.write(b, off, len);
                        } catch (SocketTimeoutException e) {
                            throw e;
                        } catch (IOException e) {
                            writeFailed = e;
                        }
                    }
                }

                @Override
                public void flush() throws IOException {
                    if (answered || writeFailed == null) {
                        out.flush();
                    }
                }

                @Override
                public void close() throws IOException {
                    out.close();
                }
            };
        }
    }
}
