package dev.bulkfetch.engine;

import java.io.IOException;

/**
 * Asks the blocking exchange on the current thread whether it may still open a connection,
 * where the JDK asks for a new connection's socket ({@link TlsHandshakes#createSocket()}),
 * and again where it layers TLS over that socket once connected ({@link
 * TlsHandshakes#createSocket(java.net.Socket, String, int, boolean)}).
 * The JDK opens connections the exchange never asks for: it sends a request lost with its
 * kept-alive connection again on a new one, and {@code getInputStream()} opens one afresh
 * when the deadline's abort disconnected the one the exchange checked a moment before. That
 * new connection was waited on for the time the request had left when it began, so such an
 * item took twice its --timeout. Asked here, an exchange that is past its deadline or whose
 * engine is closing refuses, and its item ends as that timeout or cancel, now.
 *
 * <p>The JDK gives no such hook for plain http ({@code sun.net.NetworkClient} makes its
 * sockets with {@code new Socket(Proxy.NO_PROXY)}, and only the JVM-wide socket factory
 * reaches them), so only https connections are refused: before their TCP connect, and after
 * it, before their handshake. A connection the JDK makes itself to send a request again
 * escapes the watchdog's close only while it is still connecting at the deadline (before, the
 * close reaches it; after, the JDK resends nothing, and an https one is refused here): on a
 * virtual thread the deadline's interrupt ends that connect; on a platform thread it runs on.
 * A plain one is then used, its answer waited for as long as the request had at its start
 * (about twice --timeout in all); an https one is refused, and closed, once it is made, so
 * its item ends with its connect, within that time (ResendDeadlineTest).
 *
 * <p>Per thread, as the JDK opens every connection of an exchange on the exchange's own
 * thread; one factory serves all of an engine's connections (the JDK reuses a kept-alive
 * connection only under the factory that made it), so the exchange cannot live in it.
 */
final class ConnectGate {

    /** An exchange's answer: throws {@link Refused} when it may open no connection. */
    @FunctionalInterface
    interface Check {
        void mayOpen() throws Refused;
    }

    // The exchange under way on this thread, set and cleared by it (BlockingExchange).
    private static final ThreadLocal<Check> EXCHANGE = new ThreadLocal<>();

    private ConnectGate() {
    }

    /** Makes {@code check} the current thread's, until {@link #leave()}. */
    static void enter(Check check) {
        EXCHANGE.set(check);
    }

    static void leave() {
        EXCHANGE.remove();
    }

    /** Throws {@link Refused} when the current thread's exchange may open no connection. */
    static void check() throws Refused {
        Check check = EXCHANGE.get();
        if (check != null) {
            check.mayOpen();
        }
    }

    /** The refusal in {@code thrown}'s causes, or null: the JDK may wrap it on its way out. */
    static Refused refusal(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof Refused refused) {
                return refused;
            }
        }
        return null;
    }

    /** A connection refused; its cause, a timeout or a cancel, is what ended the exchange. */
    static final class Refused extends IOException {
        Refused(Exception why) {
            super("no new connection: " + why.getMessage(), why);
        }
    }
}
