package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.testing.RawServer;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server's fault reads the same in a record on every engine, in bulkfetch's words, as the
 * timeouts do (TimeoutContractTest): each client had its own, and passed them on. The event
 * loop said "NumberFormatException, no detail given" or "Invalid character in chunk size" of a
 * bad chunk size where the JDK's engines said "Bogus chunk size", "For input string:
 * \"9223372036854775808\"" of a Content-Length past a long, "invalid version format: HTTP/2"
 * of a status line that is not HTTP/1.x, "Remotely closed" where the JDK said "Unexpected end
 * of file from server", "Connection reset by peer" for "Connection reset", and "the connection
 * closed in the middle of it" of a body the JDK's "Premature EOF" cut short. The kind of each
 * error is as it was.
 */
class FailureWordsContractTest {

    /** A server for one fault, answering every engine's request the same. */
    private interface Fault {
        RawServer open() throws IOException;
    }

    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

    static Stream<Arguments> faults() {
        return Stream.of(
                protocol("a chunk size that is not a number",
                        CHUNKED + "zz\r\nhello\r\n0\r\n\r\n", "a bad chunk size"),
                protocol("a chunk size past any length",
                        CHUNKED + "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n", "a bad chunk size"),
                // Neither Netty nor the JDK finds a line break after the chunk's 5 bytes.
                protocol("a chunk longer than its size",
                        CHUNKED + "5\r\nhelloXX0\r\n\r\n", "a bad chunk size"),
                protocol("a Content-Length past a long",
                        "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\nhello",
                        "Content-Length 9223372036854775808 is not one length"),
                protocol("the same Content-Length twice",
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                        "Content-Length 5, 5 is not one length"),
                protocol("no status line", "just a body\n",
                        "the response does not begin with an HTTP/1.x status line"),
                protocol("an HTTP/2 status line",
                        "HTTP/2 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                        "the response does not begin with an HTTP/1.x status line"),
                protocol("a status code under 100",
                        "HTTP/1.1 099 Low\r\nContent-Length: 5\r\n\r\nhello",
                        "the status code is not three digits from 100 to 999: HTTP/1.1 099 Low"),
                protocol("an unasked-for 101",
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\n\r\nhello",
                        "an unasked-for 101 Switching Protocols"),
                protocol("a control character in a header's value",
                        "HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 5\r\n\r\nhello",
                        "header X-A has a control character (0x01)"),
                protocol("a header line without a colon",
                        "HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 5\r\n\r\nhello",
                        "a header line without a colon"),
                // The JDK kept it under an empty name, where Netty refuses it.
                protocol("a header with an empty name",
                        "HTTP/1.1 200 OK\r\n: v\r\nContent-Length: 5\r\n\r\nhello",
                        "a header with an empty name"),
                protocol("a trailer line without a colon",
                        CHUNKED + "5\r\nhello\r\n0\r\nNoColon\r\n\r\n",
                        "a trailer line without a colon"),
                Arguments.of("headers past the limit",
                        (Fault) () -> new RawServer(RawServer.Mode.HUGE_HEADERS),
                        invalid("the status line and headers are larger than 393216 bytes")),
                Arguments.of("a close before any answer",
                        (Fault) () -> new RawServer(RawServer.Mode.CLOSE_AFTER_FIRST_BYTES),
                        FetchError.of(ErrorKind.RESET,
                                "the server closed the connection without answering")),
                Arguments.of("a reset before any answer",
                        (Fault) () -> new RawServer(RawServer.Mode.RESET_AFTER_FIRST_BYTES),
                        FetchError.of(ErrorKind.RESET,
                                "the connection was reset before the response was complete")),
                Arguments.of("a body a close cuts short of its Content-Length",
                        (Fault) () -> new RawServer(RawServer.Mode.SHORT_BODY),
                        invalid("the connection closed after 10 of the 100 bytes the "
                                + "Content-Length declares")),
                protocol("a chunked body a close cuts short", CHUNKED + "5\r\nhello\r\n",
                        "the connection closed after 5 bytes of a chunked body, before its end"),
                protocol("a redirect's body a close cuts short",
                        "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 50\r\n\r\nhello",
                        "the connection closed after 5 of the 50 bytes the Content-Length "
                                + "declares"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void aServersFaultReadsTheSameOnEveryEngine(String fault, Fault server, FetchError words)
            throws Exception {
        Map<EngineKind, FetchError> expected = new EnumMap<>(EngineKind.class);
        Map<EngineKind, FetchError> errors = new EnumMap<>(EngineKind.class);
        try (RawServer faulty = server.open()) {
            for (EngineKind kind : EngineKind.values()) {
                expected.put(kind, words);
                errors.put(kind, EngineContract.fetch(kind, faulty.url("/")).error());
            }
        }

        assertThat(errors).as(fault).isEqualTo(expected);
    }

    /**
     * A TLS handshake the server ends, by a close (a plain-HTTP server that reads the client's
     * hello and goes) or a reset, reads the same on every engine, as the event loop put it: the
     * JDK's engines said "Remote host terminated the handshake" of the close.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RawServer.Mode.class,
            names = {"CLOSE_AFTER_FIRST_BYTES", "RESET_AFTER_FIRST_BYTES"})
    void aHandshakeTheServerEndsReadsTheSameOnEveryEngine(RawServer.Mode mode) throws Exception {
        Map<EngineKind, FetchError> expected = new EnumMap<>(EngineKind.class);
        Map<EngineKind, FetchError> errors = new EnumMap<>(EngineKind.class);
        try (RawServer ending = new RawServer(mode)) {
            for (EngineKind kind : EngineKind.values()) {
                expected.put(kind, FetchError.of(ErrorKind.CONNECT, "could not connect: the "
                        + "connection was closed or reset during the TLS handshake"));
                errors.put(kind, EngineContract.fetch(kind,
                        ending.url("/").replaceFirst("^http:", "https:"),
                        EngineContract.tlsOptions()).error());
            }
        }

        assertThat(errors).as(mode.name()).isEqualTo(expected);
    }

    /**
     * An https:// URL to a plain-HTTP port, whose server answers the TLS hello with an HTTP 400
     * (WireMock's Jetty, as Python's http.server does), reads the same on every engine, and
     * stays a failed handshake: the event loop said "not an SSL/TLS record: " and the 400 in
     * hex, the JDK's engines "Unsupported or unrecognized SSL message".
     */
    @org.junit.jupiter.api.Test
    void plainHttpAnsweringTheTlsHelloReadsTheSameOnEveryEngine() throws Exception {
        WireMockServer plain = new WireMockServer(WireMockConfiguration.options()
                .bindAddress("127.0.0.1").dynamicPort().notifier(new Slf4jNotifier(false)));
        plain.start();
        Map<EngineKind, FetchError> expected = new EnumMap<>(EngineKind.class);
        Map<EngineKind, FetchError> errors = new EnumMap<>(EngineKind.class);
        Map<EngineKind, Boolean> tls = new EnumMap<>(EngineKind.class);
        try {
            for (EngineKind kind : EngineKind.values()) {
                expected.put(kind, FetchError.of(ErrorKind.CONNECT, "could not connect: the "
                        + "server did not answer in TLS (is it http:// on that port?)"));
                Outcome outcome = EngineContract.fetch(kind,
                        "https://127.0.0.1:" + plain.port() + "/");
                errors.put(kind, outcome.error());
                tls.put(kind, outcome.tls());
            }
        } finally {
            plain.stop();
        }

        assertThat(errors).isEqualTo(expected);
        assertThat(tls).doesNotContainValue(false);
    }

    /** A server answering {@code response}, a protocol error in these {@code words}. */
    private static Arguments protocol(String fault, String response, String words) {
        return Arguments.of(fault, (Fault) () -> RawServer.answering(response), invalid(words));
    }

    private static FetchError invalid(String words) {
        return FetchError.of(ErrorKind.PROTOCOL, "invalid HTTP response: " + words);
    }
}
