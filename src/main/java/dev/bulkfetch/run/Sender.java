package dev.bulkfetch.run;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.Rate;
import dev.bulkfetch.engine.Engine;
import dev.bulkfetch.engine.Outcome;
import dev.bulkfetch.engine.RedirectGate;
import dev.bulkfetch.limit.RateGate;
import dev.bulkfetch.limit.RetryAfter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

/**
 * Sends admitted attempts when the rate allows: it reserves a start from the run's rate gate
 * (and the host's, with {@code --rate-per-host}), and when the reservation lies in the future,
 * schedules the send on a timer thread instead of waiting. No thread parks for a rate permit,
 * Netty's least of all. Every finished attempt is queued for the driver as a {@link Done}.
 *
 * <p>A retry's backoff waits on the same timer, but outside the caps: the driver frees the
 * attempt's places and hands it here ({@link #backOff}), and it comes back to the driver when
 * its time is up, to take them again before it is sent. Waiting is not being in flight, and
 * {@code -c N} items answered {@code Retry-After: 3600} held the whole run for an hour.
 *
 * <p>Under a rate, the first request goes alone and the rest wait for it ({@link WarmUp}), and a
 * redirect's next request takes a start of its own ({@link RedirectPermits}).
 *
 * <p>Under a rate per host it tells the driver which hosts have an attempt waiting for its
 * start ({@link #waitsForStart}), and wakes it when a host has none left: the dispatcher starts no
 * more of such a host's items, which would only hold {@code -c} slots the other hosts could use.
 */
final class Sender implements AutoCloseable {

    /**
     * A finished attempt on its way from an engine thread to the driver; or, with no outcome,
     * an attempt that {@link #stop()} took back before it was sent, or ({@code due}) one whose
     * backoff is over. {@code hold} is set when its answer, a 429, began a hold to tell of
     * ({@link RateHolds}); otherwise null.
     */
    record Done(Attempt attempt, Outcome outcome, Hold hold, boolean due) {
        /** Not an attempt: wakes the driver to look again (a stop, a host ready for more). */
        static final Done WAKE_UP = new Done(null, null, null);

        Done(Attempt attempt, Outcome outcome, Hold hold) {
            this(attempt, outcome, hold, false);
        }

        static Done unsent(Attempt attempt) {
            return new Done(attempt, null, null);
        }

        /** {@code attempt} has waited out its backoff ({@link #backOff}): it may go again. */
        static Done due(Attempt attempt) {
            return new Done(attempt, null, null, true);
        }

        boolean sent() {
            return outcome != null;
        }
    }

    private final Engine engine;
    private final LongSupplier nanoTime;
    // The run's source's, or null when it withdraws nothing: a request its caller cancelled
    // while it waited here is not sent, and one on the wire is found in listed to end it.
    private volatile LongPredicate withdrawn;
    // Requests on the wire by seq, while withdrawn is set.
    private final OnWire listed;
    private final RateGate rate;
    // The per-host gates and waiting starts, under a rate per host; null without one.
    private final HostGates hosts;
    // What a 429 does to those gates, and the holds to tell of.
    private final RateHolds rateHolds;
    private final BlockingQueue<Done> completed;
    private final ScheduledThreadPoolExecutor timer;
    // Under a rate, holds later sends back until the first request has completed.
    private final WarmUp warmUp;
    // Attempts on the timer, waiting for a backoff or their rate reservation: stop() takes
    // back whichever it removes from here first, a timer task sends (or, after a backoff,
    // hands back as due) whichever it does.
    private final Set<Attempt> waiting = ConcurrentHashMap.newKeySet();
    // Of those, the ones waiting for their reservation, and the starts they hold: one handed
    // back gives its starts back, and later requests take them rather than wait behind them.
    private final Map<Attempt, Booking> booked = new ConcurrentHashMap<>();
    // Set by stop() (on the signal's thread) or close(); read wherever an attempt is about to
    // be sent.
    private volatile boolean stopped;
    // The engine's redirect gate under a rate, and the permits it has not yet given, which
    // stop() fails.
    private final RedirectPermits redirects;
    // Requests on the wire now, and the most at once: what the summary calls in flight. An
    // attempt holding its permit while it waits for the rate is not on the wire.
    private final AtomicInteger onWire = new AtomicInteger();
    private final AtomicInteger peakOnWire = new AtomicInteger();

    Sender(Engine engine, RateGate rate, Rate ratePerHost, BlockingQueue<Done> completed) {
        this(gate -> engine, rate, ratePerHost, completed, System::nanoTime);
    }

    /**
     * A sender whose engine, made by {@code engineWith}, asks it before each redirect's next
     * request ({@link RedirectPermits}): the engine calls it only once sends begin, after this
     * constructor.
     */
    Sender(Function<RedirectGate, Engine> engineWith, RateGate rate,
           Rate ratePerHost, BlockingQueue<Done> completed) {
        this(engineWith, rate, ratePerHost, completed, System::nanoTime);
    }

    /** As above, with the clock the per-host gates read (tests pass a fake one). */
    Sender(Function<RedirectGate, Engine> engineWith, RateGate rate,
           Rate ratePerHost, BlockingQueue<Done> completed, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.listed = new OnWire(nanoTime);
        this.rate = rate;
        this.hosts = ratePerHost == null ? null : new HostGates(ratePerHost, nanoTime);
        this.rateHolds = new RateHolds(rate, hosts);
        this.completed = completed;
        this.timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("bulkfetch-timer").daemon().factory());
        this.timer.setRemoveOnCancelPolicy(true);
        boolean limited = rate.current() != null || ratePerHost != null;
        this.warmUp = new WarmUp(limited, timer, this::warm);
        this.redirects = new RedirectPermits(timer, () -> stopped, this::reserve,
                host -> recordStart(hostGate(host)));
        this.engine = engineWith.apply(limited ? redirects : RedirectGate.OPEN);
    }

    Engine engine() {
        return engine;
    }

    /**
     * Counts a start now, in the run's window and {@code host}'s (may be null), when both
     * allow it; otherwise how long until they may. Both windows are checked before either
     * counts, so a start one gate holds back is not counted by the other.
     */
    private synchronized long recordStart(RateGate host) {
        long wait = Math.max(rate.waitNow(), host == null ? 0 : host.waitNow());
        if (wait == 0) {
            rate.recordSend();
            if (host != null) {
                host.recordSend();
            }
        }
        return wait;
    }

    /** Sends {@code attempt}, admitted, after its rate reservation. */
    void send(Attempt attempt) {
        startsWaiting(attempt);
        // After stop() the warm-up holds nothing (it emptied its list for good), and
        // reserveThenSend() hands the attempt back.
        if (warmUp.holdsBack(attempt)) {
            return;
        }
        reserveThenSend(attempt);
    }

    /**
     * Hands {@code attempt}, a retry holding no place under the caps, back to the driver as
     * {@link Done#due} after {@code delayNanos}, its backoff; or unsent at once when the run
     * stops or its caller cancels it meanwhile. It does not wait for its start meanwhile: a
     * Retry-After of minutes must not stop its host's other items.
     */
    void backOff(Attempt attempt, long delayNanos) {
        later(attempt, () -> completed.add(Done.due(attempt)), delayNanos);
    }

    /**
     * Stops sending, as Ctrl-C asks: an attempt not yet sent (waiting for the rate, a backoff,
     * or the first request under a rate) is not sent at all but handed back unsent, at once,
     * so the run neither sends after the signal nor waits out its grace for them. What is
     * already on the wire finishes.
     */
    void stop() {
        stopSending();
        redirects.stop();
        warmUp.stop().forEach(this::handBack);
        for (Attempt attempt : waiting) {
            if (waiting.remove(attempt)) {
                handBack(attempt);
            }
        }
    }

    /**
     * From now on, requests for which {@code withdrawn} is true are handed back unsent, and
     * those on the wire can be cancelled; null for none.
     */
    void withdrawing(LongPredicate withdrawn) {
        this.withdrawn = withdrawn;
    }

    /**
     * Ends request {@code seq}'s attempt on the wire, if there is one: its engine aborts it,
     * and it comes back {@code cancelled}. From any thread.
     */
    void cancel(long seq) {
        listed.cancel(seq);
        // Backing off (a long Retry-After) or waiting for the rate, it would wait until its
        // timer fired: it goes back now. One that comes to wait later is handed back by
        // later() itself, as withdrawn.
        for (Attempt attempt : waiting) {
            if (attempt.request().seq() == seq && waiting.remove(attempt)) {
                handBack(attempt);
            }
        }
    }

    /**
     * Request {@code seq}'s attempt on the wire, while the source withdraws requests; null
     * when it has none, or its Done is queued already (its answer came). From any thread.
     */
    OnWire.Sent onWire(long seq) {
        return listed.sent(seq);
    }

    /** {@code attempt}, not sent, back to the driver. */
    private void handBack(Attempt attempt) {
        Booking booking = booked.remove(attempt);
        if (booking != null) {
            booking.giveBack(rate);
        }
        stopsWaiting(attempt);
        completed.add(Done.unsent(attempt));
    }

    /**
     * True while {@code host} has an attempt waiting for its start, under a rate per host:
     * another of its items would wait behind it, holding a {@code -c} slot. The driver is woken
     * when this turns false.
     */
    boolean waitsForStart(String host) {
        return hosts != null && hosts.waitsForStart(host);
    }

    /** {@code attempt} now waits for its start, under a rate per host. */
    private void startsWaiting(Attempt attempt) {
        if (hosts != null) {
            hosts.startsWaiting(attempt);
        }
    }

    /**
     * {@code attempt} is on the wire or handed back: its host may be ready for another. Once
     * per attempt, whichever way it leaves (a stop may hand back one that went).
     */
    private void stopsWaiting(Attempt attempt) {
        if (hosts != null && hosts.stopsWaiting(attempt)) {
            completed.add(Done.WAKE_UP);
        }
    }

    /** Runs {@code step} for {@code attempt} after {@code delayNanos}, unless stopped first. */
    private void later(Attempt attempt, Runnable step, long delayNanos) {
        waiting.add(attempt);
        // stop() (or a caller's cancel) may have gone through the waiting set just before the
        // add: this attempt must not wait out its delay to be handed back.
        if (unwanted(attempt) && waiting.remove(attempt)) {
            handBack(attempt);
            return;
        }
        timer.schedule(() -> {
            if (waiting.remove(attempt)) {
                step.run();
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    RateGate rate() {
        return rate;
    }

    /** Requests on the wire now. */
    int onWire() {
        return onWire.get();
    }

    /** The most requests on the wire at once so far. */
    int peakOnWire() {
        return peakOnWire.get();
    }

    private void reserveThenSend(Attempt attempt) {
        if (unwanted(attempt)) {
            handBack(attempt);
            return;
        }
        RateGate.Slot start = rate.reserveSlot();
        RateGate host = hostGate(attempt.host());
        RateGate.Slot hostStart = host == null ? null : host.reserveSlot();
        long wait = Math.max(start.waitNanos(), hostStart == null ? 0 : hostStart.waitNanos());
        if (wait > 0) {
            booked.put(attempt, new Booking(start, host, hostStart));
            later(attempt, () -> {
                booked.remove(attempt);
                sendNow(attempt);
            }, wait);
        } else {
            sendNow(attempt);
        }
    }

    /** The starts an attempt waits for: the run's, and its host's under a rate per host. */
    private record Booking(RateGate.Slot start, RateGate host, RateGate.Slot hostStart) {
        void giveBack(RateGate run) {
            run.giveBack(start);
            if (host != null) {
                host.giveBack(hostStart);
            }
        }
    }

    /**
     * Reserves a start in the run's gate and {@code host}'s, for a redirect's request
     * ({@link RedirectPermits}); how long until it comes.
     */
    private long reserve(String host) {
        long wait = rate.reserve();
        return hosts == null ? wait : Math.max(wait, hosts.gate(host).reserve());
    }

    /** The host's gate, made on first use; null without a rate per host. */
    private RateGate hostGate(String host) {
        return hosts == null ? null : hosts.gate(host);
    }

    /** Per-host gates held now (for tests: idle ones are swept as hosts are added). */
    int hostGates() {
        return hosts == null ? 0 : hosts.size();
    }

    /**
     * Sends nothing more, handing nothing back now: the run was abandoned, its driver gone, and
     * what waits keeps its sends for a library's close to count ({@link Unfinished}).
     */
    void stopSending() {
        stopped = true;
    }

    /** Whether {@code attempt} is to go back unsent: the run stopped, or its caller cancelled. */
    private boolean unwanted(Attempt attempt) {
        LongPredicate withdrawn = this.withdrawn;
        return stopped || (withdrawn != null && withdrawn.test(attempt.request().seq()));
    }

    private void sendNow(Attempt attempt) {
        if (unwanted(attempt)) {
            handBack(attempt);
            return;
        }
        long wait = recordStart(hostGate(attempt.host()));
        if (wait > 0) {
            later(attempt, () -> sendNow(attempt), wait);
            return;
        }
        stopsWaiting(attempt);
        // The gates' clock: a 429 is weighed against the starts they booked by it.
        long sentNanos = nanoTime.getAsLong();
        peakOnWire.accumulateAndGet(onWire.incrementAndGet(), Math::max);
        CompletableFuture<Outcome> sent;
        try {
            sent = engine.send(attempt.request());
        } catch (RuntimeException e) {
            // Engines complete with failures rather than throw; if one throws anyway, the
            // attempt must still come back, or its permits would never be released.
            sent = CompletableFuture.completedFuture(Outcome.failure(FetchError.of(
                    ErrorKind.PROTOCOL, "could not send: " + e), 0, 0));
        }
        LongPredicate withdrawn = this.withdrawn;
        OnWire.Listed onList = withdrawn == null ? null : listed.list(attempt, sentNanos, sent);
        if (onList != null && withdrawn.test(onList.seq())) {
            sent.cancel(false);  // cancelled as it went: cancel() may have missed it
        }
        sent.whenComplete((outcome, thrown) -> {
            onWire.decrementAndGet();
            Hold hold = null;
            if (outcome != null && outcome.status() != null && outcome.status() == 429) {
                try {
                    // Before what the first request held back goes, which it would join.
                    Instant now = Instant.now();
                    // The host that answered: after a redirect, its target's, not the first
                    // host's, which was held while the other went on into its own ban.
                    String answered = outcome.redirected()
                            ? Attempt.hostOf(outcome.finalUrl()) : attempt.host();
                    hold = rateHolds.rateLimited(answered,
                            RetryAfter.of(outcome.retryAfter(), now), sentNanos, now);
                } catch (RuntimeException e) {
                    // Pacing is the run's care; the outcome must reach the driver whatever.
                }
            }
            warmUp.release();
            if (stopped && outcome != null && outcome.error() != null
                    && outcome.error().kind() == ErrorKind.CANCELLED) {
                // Ended by the stop (a redirect's start it failed): no record, as unsent.
                handBack(attempt);
                listed.unlist(onList);
                return;
            }
            completed.add(new Done(attempt, outcome != null ? outcome : Outcome.failure(
                    FetchError.of(ErrorKind.CANCELLED, String.valueOf(thrown)), 0, 0), hold));
            // Only once its Done is queued: a library's close, which looks for the attempt
            // here and then in the queue, finds it in one or the other.
            listed.unlist(onList);
        });
    }

    /** The run is warm ({@link WarmUp#release}): {@code held}, what waited, goes, paced. */
    private void warm(List<Attempt> held) {
        // Only the first request (and its redirects) went: each has reached the server.
        rate.countStartsSoFarAsNow();
        if (hosts != null) {
            hosts.countStartsSoFarAsNow();
        }
        timer.execute(() -> held.forEach(this::reserveThenSend));
    }

    /**
     * Stops the timer and waits (briefly) for its thread to end. A redirect's permit still
     * pending fails first, and any asked for later fails at once: the timer's tasks that would
     * have given them go with it, and a library's close comes here without {@link #stop()}.
     */
    @Override
    public void close() {
        stopped = true;
        redirects.stop();
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
