package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    /**
     * A client that wraps an exception puts its cause's class name before the cause's message;
     * the event loop's resets read "...: io.netty.channel.unix.Errors$NativeIoException:
     * recvAddress(..) failed: Connection reset by peer", where the JDK's engines said
     * "Connection reset by peer", as they said "Connection refused" for "finishConnect(..)
     * failed: Connection refused".
     */
    @Test
    void aRecordsMessageCarriesNoClassNames() {
        IOException wrapped = new IOException("io.netty.channel.unix.Errors$NativeIoException: "
                + "java.net.SocketException: recvAddress(..) failed: Connection reset by peer");

        FetchError error = Failures.classify(wrapped);

        assertThat(error.kind()).isEqualTo(ErrorKind.RESET);
        // Nor the call Netty made, which the JDK's engines do not name.
        assertThat(error.message())
                .isEqualTo("the connection was reset before the response was complete");
        assertThat(Failures.classify(new java.net.ConnectException("finishConnect(..) failed:"
                + " Connection refused")).message())
                .isEqualTo("could not connect: Connection refused");
        // Netty's "not an SSL/TLS record: 3c21444f..." carried the whole record in hex (in
        // the handshake, which AHC's ConnectException wraps).
        String hex = "3c21".repeat(400);
        assertThat(Failures.classify(new java.net.ConnectException("handshake").initCause(
                new javax.net.ssl.SSLException("not an SSL/TLS record: " + hex))).message())
                .hasSize("could not connect: ".length() + 203).endsWith("...");
        // A host name is no class name.
        assertThat(Failures.classify(new java.net.ConnectException("my.Server: bad"))
                .message()).isEqualTo("could not connect: my.Server: bad");
    }

    /**
     * The JDK's resolver says why a name did not resolve after it ("Name or service not
     * known", or "Temporary failure in name resolution" when no DNS server answers), and the
     * event loop passes that on; the JDK's engines connect through a socket that names the
     * host alone. Every engine names the host, and only that.
     */
    @Test
    void anUnknownHostIsNamedTheSameWhateverTheResolverSaid() {
        UnknownHostException resolver =
                new UnknownHostException("down.invalid: Temporary failure in name resolution");
        UnknownHostException socket = new UnknownHostException("down.invalid");
        // As BlockingExchange wraps what connecting threw.
        ConnectException connecting =
                (ConnectException) new ConnectException(socket.getMessage()).initCause(socket);

        Outcome eventLoop = outcome(new CompletionException(resolver), 0, 1);
        Outcome blocking = outcome(connecting, 0, 1);

        assertThat(eventLoop.error()).isEqualTo(blocking.error()).isEqualTo(
                FetchError.of(ErrorKind.CONNECT, "could not resolve host: down.invalid"));
        assertThat(eventLoop.unsent()).isTrue();
        assertThat(blocking.unsent()).isTrue();
    }

    /**
     * A body too big for the heap (with --save-bodies, or a raised --max-body) failed as a
     * protocol error, "Java heap space", as if the server had broken HTTP.
     */
    @Test
    void runningOutOfHeapForABodyIsTooLargeAndSaysWhatToDo() {
        FetchError error = Failures.classify(new java.util.concurrent.CompletionException(
                new OutOfMemoryError("Java heap space")));

        assertThat(error.kind()).isEqualTo(ErrorKind.TOO_LARGE);
        assertThat(error.message()).startsWith("the body did not fit in memory (Java heap space)")
                .contains("-Xmx").contains("--max-body");
    }

    /**
     * A TLS error is a failed handshake (connect, counted as TLS) when it is one of the
     * handshake's, a refusal of it included; any other came on a connection made, whose
     * protocol then failed. The JDK's engines took every TLS error for a failed handshake.
     */
    @Test
    void onlyAHandshakesTlsErrorIsAFailedHandshake() {
        Outcome afterHandshake = outcome(new javax.net.ssl.SSLException(
                "(bad_record_mac) Tag mismatch"), 10, 1);
        Outcome alert = outcome(new javax.net.ssl.SSLHandshakeException(
                "(certificate_required) Received fatal alert: certificate_required"), 0, 1);
        Outcome inHandshake = outcome(new java.net.ConnectException("handshake")
                .initCause(new javax.net.ssl.SSLException("Unsupported or unrecognized SSL "
                        + "message")), 0, 1);

        assertThat(afterHandshake.error()).isEqualTo(dev.bulkfetch.FetchError.of(
                dev.bulkfetch.ErrorKind.PROTOCOL, "(bad_record_mac) Tag mismatch"));
        assertThat(afterHandshake.tls()).isFalse();
        for (Outcome tls : new Outcome[] {alert, inHandshake}) {
            assertThat(tls.error().kind()).isEqualTo(dev.bulkfetch.ErrorKind.CONNECT);
            assertThat(tls.tls()).isTrue();
        }
    }

    /**
     * A refused certificate is refused again, so it is marked permanent and never retried;
     * after review, a revocation check that could not be made (its responder down) is not.
     */
    @Test
    void aRefusedCertificateIsPermanentButAnUndeterminedRevocationIsNot() {
        Outcome refused = outcome(new javax.net.ssl.SSLHandshakeException(
                "PKIX path building failed", new java.security.cert.CertificateException(
                        "unable to find valid certification path to requested target")), 0, 1);
        Outcome wrongHost = outcome(new javax.net.ssl.SSLHandshakeException(
                "No subject alternative names matching IP address 127.0.0.1 found",
                new java.security.cert.CertificateException("No subject alternative names")),
                0, 1);
        Outcome undetermined = outcome(new javax.net.ssl.SSLHandshakeException(
                "revocation", new java.security.cert.CertificateException("check failed",
                        new java.security.cert.CertPathValidatorException("responder down", null,
                                null, -1, java.security.cert.CertPathValidatorException
                                        .BasicReason.UNDETERMINED_REVOCATION_STATUS))), 0, 1);
        Outcome reset = outcome(new java.net.SocketException("Connection reset"), 0, 1);

        assertThat(refused.permanent()).isTrue();
        assertThat(refused.error().kind()).isEqualTo(dev.bulkfetch.ErrorKind.CONNECT);
        assertThat(wrongHost.permanent()).isTrue();
        assertThat(undetermined.permanent()).isFalse();
        assertThat(reset.permanent()).isFalse();
    }

    /**
     * A request written on a connection the server has closed or reset fails its write with
     * EPIPE: the connection closed before the response, as a reset on read is, and retried
     * as one. It was a {@code protocol} error, never retried (seen for a large request on the
     * event loop; the JDK's engines say it as a SocketException).
     */
    @Test
    void aBrokenPipeIsAReset() {
        assertThat(Failures.classify(new IOException("io.netty.channel.unix.Errors$"
                + "NativeIoException: writevAddresses(..) failed: Broken pipe")).kind())
                .isEqualTo(ErrorKind.RESET);
        assertThat(Failures.classify(new java.net.SocketException("Broken pipe")).kind())
                .isEqualTo(ErrorKind.RESET);
    }

    /**
     * Netty's epoll transport throws a {@code NoRouteToHostException} without a message for
     * ENETUNREACH and EHOSTUNREACH, which it then annotates with the address after that
     * message, and AHC wraps with its message: the event loop's record read "could not
     * connect: null: /224.0.0.1:18332" where the JDK's engines say "Network is unreachable".
     */
    @Test
    void anUnreachableNetworkOnTheEventLoopSaysSoRatherThanNull() {
        NoRouteToHostException os = new NoRouteToHostException();
        // Netty's AbstractChannel.annotateConnectException
        NoRouteToHostException annotated =
                new NoRouteToHostException(os.getMessage() + ": /224.0.0.1:18332");
        annotated.initCause(os);
        // AHC's NettyConnectListener
        ConnectException connect = new ConnectException(annotated.getMessage());
        connect.initCause(annotated);

        Outcome outcome = outcome(new CompletionException(connect), 0, 1);

        assertThat(outcome.error().kind()).isEqualTo(ErrorKind.CONNECT);
        assertThat(outcome.error().message())
                .isEqualTo("could not connect: Network is unreachable or no route to host");
        assertThat(outcome.unsent()).isTrue();
    }

    /**
     * Any other exception without a message, wrapped the same way, is named by its type, in
     * words: never by the "null" its wrappers made of the missing message.
     */
    @Test
    void aFailureWithoutAMessageIsNamedByItsTypeNotByNull() {
        java.net.SocketException os = new java.net.SocketException();
        java.net.SocketException annotated =
                new java.net.SocketException(os.getMessage() + ": /10.0.0.1:80");
        annotated.initCause(os);
        ConnectException connect = new ConnectException(annotated.getMessage());
        connect.initCause(annotated);

        FetchError error = Failures.classify(new CompletionException(connect));

        assertThat(error.kind()).isEqualTo(ErrorKind.CONNECT);
        assertThat(error.message())
                .isEqualTo("could not connect: SocketException, no detail given");
    }

    /**
     * Netty fails a TLS handshake whose connection went inactive with a {@code
     * ClosedChannelException}, no message, a {@code SSLHandshakeException} suppressed in it;
     * AHC wraps it in a {@code ConnectException} named by the URL. The server closed the
     * connection, or reset it: Netty reads both so, and the record said "the server closed
     * the connection" of both.
     */
    @Test
    void aConnectionEndedDuringTheHandshakeOnTheEventLoopIsNotCalledAClose() {
        ClosedChannelException inactive = new ClosedChannelException();
        inactive.addSuppressed(new SSLHandshakeException(
                "Connection closed while SSL/TLS handshake was in progress"));

        FetchError error = Failures.classify(new CompletionException(
                new ConnectException("https://127.0.0.1:8443").initCause(inactive)));

        assertThat(error).isEqualTo(FetchError.of(ErrorKind.CONNECT,
                "could not connect: the connection was closed or reset during the TLS handshake"));
    }

    /**
     * A failure to connect that says nothing of itself is named by its type, not given a
     * cause: any of them read "the server closed the connection". A channel closed before it
     * connected (Netty's, when our side closed it) or an interrupted connect is no close.
     */
    @Test
    void aConnectFailureWithoutAMessageIsNamedByItsTypeNotGivenACause() {
        for (IOException silent : new IOException[] {
                new ClosedChannelException(), new java.io.InterruptedIOException()}) {
            Outcome outcome = outcome(new CompletionException(
                    new ConnectException("https://127.0.0.1:8443").initCause(silent)), 0, 1);

            assertThat(outcome.error().kind()).isEqualTo(ErrorKind.CONNECT);
            assertThat(outcome.error().message()).doesNotContain("server")
                    .isEqualTo(silent instanceof ClosedChannelException
                            ? "could not connect: ClosedChannelException, no detail given"
                            : "could not connect: InterruptedIOException, no detail given");
            assertThat(outcome.unsent()).isTrue();
        }
    }

    private static Outcome outcome(Throwable thrown, long bytes, long latencyNanos) {
        return Failures.outcome(thrown, bytes, latencyNanos, EngineContract.options());
    }
}
