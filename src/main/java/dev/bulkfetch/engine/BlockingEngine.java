package dev.bulkfetch.engine;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchRequest;
import java.net.HttpURLConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A blocking client, {@link HttpURLConnection}, with one thread blocked on its own socket per
 * request in flight: a fixed pool of platform threads ({@code threads}), a virtual thread per
 * request ({@code virtual}), or a single platform thread ({@code serial}). The JDK's
 * {@code HttpClient} is not used: its {@code send()} parks on an internal selector, which is the
 * event-loop approach again, not the one being compared.
 *
 * <p>Admission is upstream, so the pool never holds a queue: at most {@code concurrency} tasks
 * are ever submitted at once. Keep-alive is the JDK's connection cache, sized to the concurrency
 * through {@code http.maxConnections} ({@link JdkHttpSettings}). Redirects are followed here,
 * not by the JDK, under the same {@link Redirects} policy as the event loop's; a request lost
 * with its connection is sent again by the JDK itself, held to {@link Resends}. The
 * whole-request timeout is a watchdog that closes the connection, since the JDK only bounds
 * connect and each read.
 */
final class BlockingEngine implements Engine {

    private final EngineKind kind;
    private final EngineOptions options;
    private final ExecutorService executor;
    // The platform threads of the threads and serial engines (null on virtual threads): one
    // more for each cancelled exchange still blocked in a body's read (see lend).
    private final java.util.concurrent.ThreadPoolExecutor pool;
    private final ScheduledThreadPoolExecutor watchdog;
    // Exchanges under way, on any of the engine's threads, for close() to end.
    private final java.util.Set<BlockingExchange> live =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    // Set by close(); read by exchanges as they open a connection or read their body.
    private volatile boolean closing;
    private final HostGuard guard;
    // Handed to every exchange; it reads closing and calls lend(true) through it.
    private final BlockingExchange.Context shared;

    BlockingEngine(EngineKind kind, EngineOptions options, RedirectGate redirectGate) {
        this.kind = kind;
        this.options = options;
        this.guard = HostGuard.of(options);
        // Any certificate (--insecure), else those given (--cacert), else the JDK's CAs.
        // The certificates given are made into a factory here, where a failure to is the
        // engine's to report; the others' when the first https URL comes, as each costs the
        // JDK's whole TLS set-up, which a run of http URLs never needs.
        javax.net.ssl.SSLSocketFactory trusted = options.trustedCertificates().isEmpty() ? null
                : TrustedCertificates.socketFactory(options.trustedCertificates());
        javax.net.ssl.SSLSocketFactory tls = TlsHandshakes.watching(() -> options.insecure()
                ? Insecure.sockets()
                : trusted != null ? trusted
                        : javax.net.ssl.HttpsURLConnection.getDefaultSSLSocketFactory());
        JdkHttpSettings.applyFor(options.concurrency());
        this.shared = new BlockingExchange.Context(options, guard, redirectGate,
                new JdkIdleCap(Math.max(64, 2 * options.concurrency())), tls,
                () -> closing, () -> lend(true));
        this.pool = switch (kind) {
            case THREADS -> platformPool(options.concurrency(), "bulkfetch-thread-");
            case SERIAL -> platformPool(1, "bulkfetch-serial-");
            case VIRTUAL -> null;
            case EVENT_LOOP -> throw new IllegalArgumentException("not a blocking engine: " + kind);
        };
        this.executor = pool != null ? pool : Executors.newThreadPerTaskExecutor(
                named("bulkfetch-virtual-", Thread::ofVirtual));
        this.watchdog = new ScheduledThreadPoolExecutor(1, named("bulkfetch-timeout-"));
        this.watchdog.setRemoveOnCancelPolicy(true);
    }

    private static java.util.concurrent.ThreadPoolExecutor platformPool(int threads,
                                                                        String prefix) {
        return new java.util.concurrent.ThreadPoolExecutor(threads, threads, 0L,
                TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                named(prefix));
    }

    /**
     * One thread more (or, with {@code more} false, back to as many as before) in the pool,
     * for an exchange cancelled while its platform thread is blocked reading a body: that
     * thread notices nothing until the read returns (the idle timeout, at most), and the
     * request after it, whose place under the cap the cancel gave, waited for it.
     */
    private synchronized void lend(boolean more) {
        if (pool == null) {
            return;
        }
        if (more) {
            pool.setMaximumPoolSize(pool.getMaximumPoolSize() + 1);
            pool.setCorePoolSize(pool.getCorePoolSize() + 1);
        } else {
            pool.setCorePoolSize(pool.getCorePoolSize() - 1);
            pool.setMaximumPoolSize(pool.getMaximumPoolSize() - 1);
        }
    }

    private static ThreadFactory named(String prefix) {
        return named(prefix, () -> Thread.ofPlatform().daemon());
    }

    /**
     * Threads named prefix1, prefix2, ... Counted here, not by the builder's
     * {@code name(prefix, 1)}: that counts with a VarHandle, whose first use makes the JDK's
     * method-handle classes, about 8 ms of each start that the start-up cache does not hold.
     */
    private static ThreadFactory named(String prefix, Supplier<Thread.Builder> builder) {
        AtomicLong count = new AtomicLong();
        return task -> builder.get().name(prefix + count.incrementAndGet()).unstarted(task);
    }

    @Override
    public String name() {
        return kind.cliName();
    }

    @Override
    public CompletableFuture<Outcome> send(FetchRequest request) {
        Outcome refused = guard.refused(request);
        if (refused != null) {
            return CompletableFuture.completedFuture(refused);
        }
        String refusal = kind.refusal(request);
        if (refusal != null) {
            return CompletableFuture.completedFuture(Outcome.failure(FetchError.of(
                    ErrorKind.INPUT, refusal), 0, 0));
        }
        try {
            Cancel cancel = new Cancel();
            CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(
                    () -> exchange(request, cancel), executor);
            // Cancelled by the caller (a library user's cancel): the exchange ends as at its
            // deadline, or never starts if it is still waiting for a thread.
            outcome.whenComplete((done, thrown) -> {
                if (thrown instanceof java.util.concurrent.CancellationException) {
                    cancel.cancel();
                }
            });
            return outcome;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Outcome.failure(
                    FetchError.of(ErrorKind.CANCELLED, "engine closed"), 0, 0));
        }
    }

    /** A caller's cancel of one item, and the exchange it ends when there is one. */
    private static final class Cancel {
        // Guarded by this.
        private boolean cancelled;
        private BlockingExchange exchange;

        /** Notes {@code started} as the item's exchange; false when it is cancelled already. */
        synchronized boolean started(BlockingExchange started) {
            exchange = started;
            return !cancelled;
        }

        void cancel() {
            BlockingExchange under;
            synchronized (this) {
                cancelled = true;
                under = exchange;
            }
            if (under != null) {
                under.cancel();
            }
        }
    }

    private Outcome exchange(FetchRequest request, Cancel cancel) {
        long start = System.nanoTime();
        BlockingExchange exchange = new BlockingExchange(shared,
                start + options.requestTimeout().toNanos());
        if (!cancel.started(exchange)) {
            return Outcome.failure(FetchError.of(ErrorKind.CANCELLED, "cancelled by its caller"),
                    0, 0);
        }
        live.add(exchange);
        ScheduledFuture<?> deadline = watchdog.schedule(() -> exchange.abortBeforeBody(true),
                options.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        try {
            return exchange.outcome(request, start);
        } finally {
            deadline.cancel(false);
            live.remove(exchange);
            if (exchange.lent()) {
                lend(false);
            }
        }
    }

    /**
     * Ends what is in flight and waits (briefly) for the engine's threads to end. A platform
     * thread blocked in a socket read does not notice an interrupt: an exchange still waiting
     * for its answer has its connection closed, or closing would wait out the 5 s below after
     * a Ctrl-C's grace, and so has one reading a body that ends with its connection; one
     * reading a body with a length or chunks stops at its next read (its idle timeout at the
     * latest, past the 5 s then: see BlockingExchange.abortBeforeBody), one between
     * connections (a redirect) as it opens the next.
     */
    @Override
    public void close() {
        closing = true;
        live.forEach(exchange -> exchange.abortBeforeBody(false));
        executor.shutdownNow();
        watchdog.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
            watchdog.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
