package dev.bulkfetch.cli;

import dev.bulkfetch.input.InputReader;
import dev.bulkfetch.input.InputUnavailableException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Stdin's first bytes, waited for once {@code -o FILE} is locked and checked but before it is
 * emptied, so that a UTF-16 or compressed stdin is refused with the earlier records kept
 * ({@link InputReader#checkStdin(InputStream)}), while the stop signals are handled:
 * the wait may be long (an export that prints nothing for an hour), and it comes before the
 * run's own handlers. A SIGTERM in it killed the JVM outright, with no summary; one that came
 * with stdin's end (a whole pipeline stopped: the producer died of it too) was lost, and the
 * run went on with an empty list, exit 0.
 *
 * <p>From construction until {@link #handOver} this holds the stop signals. A signal before or
 * during the wait ends the run before FILE is emptied ({@link Stopped}); one after the wait,
 * before the run's handlers are in, is handed to them as if it came to them. Thread-safe:
 * the signal's thread and the command's meet under this object's lock.
 */
final class StdinWait implements AutoCloseable {

    /** A stop signal came before stdin's first bytes: the run ends, -o left as it was. */
    static final class Stopped extends RuntimeException {
        final Interrupts.Stop stop;

        Stopped(Interrupts.Stop stop) {
            super(stop.said() + " before stdin's first line came", null, false, false);
            this.stop = stop;
        }
    }

    /**
     * How long a stdin that ended before its first byte waits for a stop signal that may come
     * with its end: a whole pipeline stopped ends stdin as its producer dies of the signal, a
     * few milliseconds before this JVM runs its handler, and that end, taken for an empty
     * list, emptied -o FILE (as FetchCommand waits for a signal that stopped a reader).
     */
    static final long SIGNAL_WITH_THE_END_MILLIS = 500;

    private final Watched stdin;
    private final long signalWithTheEndMillis;
    // Open once a stop signal has come.
    private final CountDownLatch signalCame = new CountDownLatch(1);
    // Completed by the first bytes (the stream that gives them back) or stdin's refusal, or
    // by a stop signal (null), whichever comes first.
    private final CompletableFuture<InputStream> looked = new CompletableFuture<>();
    private final StopSignals signals;
    // Guarded by this: the stop signals that came, in order, until they are handed over (a
    // second Ctrl-C quits at once there as anywhere); then where signals go; and whether the
    // handlers are given back.
    private final List<Seen> seen = new ArrayList<>();
    private Interrupts.Handler handedTo;
    private boolean closed;

    StdinWait(InputStream stdin) {
        this(stdin, SIGNAL_WITH_THE_END_MILLIS);
    }

    /** As above, an empty stdin waiting {@code signalWithTheEndMillis} for a signal (tests). */
    StdinWait(InputStream stdin, long signalWithTheEndMillis) {
        this.stdin = new Watched(stdin);
        this.signalWithTheEndMillis = signalWithTheEndMillis;
        this.signals = StopSignals.install(this::signalled);
    }

    /** A stop signal, and when it came (System.nanoTime()). */
    private record Seen(Interrupts.Stop stop, long atNanos) {
    }

    /** A stop signal came, on its own thread (package-visible for tests of the order). */
    void signalled(Interrupts.Stop stop) {
        long now = System.nanoTime();
        Interrupts.Handler to;
        synchronized (this) {
            to = handedTo;
            if (to == null) {
                seen.add(new Seen(stop, now));
            }
        }
        if (to != null) {
            to.stop(stop, now);  // came as the run's handlers went in
        }
        signalCame.countDown();
        looked.complete(null);
    }

    /**
     * Waits for stdin's first bytes, or its end, or a stop signal, and returns the stream to
     * read stdin from, which gives those bytes back first. On a signal the wait's thread is
     * left reading stdin: nothing can end a read of a pipe, and the run is over.
     *
     * @throws Stopped when a stop signal came before, in, or with the end of, the wait
     * @throws InputUnavailableException when stdin is refused, or cannot be read
     */
    InputStream await() throws IOException {
        // A daemon: one still blocked in the read when a signal stops the run must not keep
        // the JVM from exiting.
        Thread.ofPlatform().daemon().name("bulkfetch-stdin-wait").start(() -> {
            try {
                looked.complete(InputReader.checkStdin(stdin));
            } catch (Throwable e) {
                looked.completeExceptionally(e);
            }
        });
        InputStream first;
        try {
            first = looked.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for stdin");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InputUnavailableException refused) {
                throw refused;
            }
            throw new IllegalStateException("the wait for stdin failed", e.getCause());
        }
        if (!stdin.gaveAny) {
            try {
                signalCame.await(signalWithTheEndMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for stdin");
            }
        }
        synchronized (this) {
            // A signal with stdin's end counts though the end came first: the producer died of
            // the same signal, and the empty list it left is no list to run.
            if (!seen.isEmpty()) {
                throw new Stopped(seen.get(0).stop());
            }
        }
        return first;
    }

    /**
     * The run's own handlers are in: the stop signals that came since the wait are handed to
     * {@code interrupts} in order, as if they came to them when they came to this (a second
     * copy of one sender's signal, timeout(1)'s, must not be taken for a second signal for the
     * time the hand-over took), and so is any that comes to this one still.
     */
    void handOver(Interrupts.Handler interrupts) {
        List<Seen> pending;
        synchronized (this) {
            handedTo = interrupts;
            pending = List.copyOf(seen);
        }
        for (Seen signal : pending) {
            interrupts.stop(signal.stop(), signal.atNanos());
        }
    }

    /** Stdin, noting whether it gave a byte: one that ended before any may end with a signal. */
    private static final class Watched extends FilterInputStream {
        // Written by the wait's thread, read by the command's once the wait is over.
        private volatile boolean gaveAny;

        Watched(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int next = super.read();
            gaveAny |= next >= 0;
            return next;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int read = super.read(bytes, offset, length);
            gaveAny |= read > 0;
            return read;
        }
    }

    /** Gives the stop signals back to the handlers there were before; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        signals.close();
    }
}
