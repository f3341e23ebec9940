package dev.bulkfetch.limit;

import dev.bulkfetch.Rate;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Decides when the next request may start, so that at most the configured rate start in any
 * period, and slows the whole run down when the server answers 429.
 *
 * <p>The pacing is a resilience4j rate limiter, configured explicitly (its defaults, 50 per
 * 500 ns, are no limit at all) to hand out one permit per {@code 1/rate}: evenly spaced starts
 * rather than N at once per period. That alone does not bound every sliding window: a permit may
 * be used anywhere inside its cycle, so two starts can fall at the end of one cycle and the start
 * of the next. So the gate also keeps the start times of the last N reservations and never lets
 * a start come sooner than one window (5% longer than the period, for timer and network jitter)
 * after the start N places before it: exact, whatever the limiter's cycles do (see
 * {@link Window} for rates that are no whole number a period, and very high ones). Permission
 * is reserved, never waited for: {@link #reserve()} returns how long the caller must wait, and
 * the caller schedules the send, so no thread parks here. A start reserved for a request that
 * is then withdrawn before it goes is given back ({@link #giveBack}), and the next reservation
 * takes it: otherwise every later request would wait behind the starts nobody used.
 *
 * <p>Adapting to 429, with a configured rate: each 429 (once per burst, and only for requests
 * sent after the last slowdown) halves the current rate, never below a tenth of the configured
 * one, and sets a ceiling at 90% of the rate it came at; each {@code recoveryStep} without a
 * 429 raises the rate by a tenth of the configured one, up to the ceiling (the configured rate
 * until a first 429). This is TCP's slow-start threshold without the probing above it: TCP
 * goes on raising its window past the threshold until the next loss, which against a fixed
 * server limit is a 429 every few recovery steps for as long as the run lasts (one every 15 s
 * at 40/s against 20/s). The limit a 429 reveals is taken as fixed for the run: a backfill's
 * promise is not to be refused, and a ceiling 10% under where it was refused costs at most a
 * tenth of what the server allows, while every probe above it would cost a 429 (and, with some
 * APIs, a longer ban). Each later 429 lowers the ceiling by a tenth at least, so against a
 * fixed limit the 429s end after a few. A server that raises its limit mid-run is not noticed.
 * A 429's {@code Retry-After} also holds every start until it has passed: an API that
 * bans a client for a while counts each request made during the ban against it, and may
 * lengthen it. Without a configured rate the gate stays open and 429s are only retried: a
 * single endpoint that always answers 429 must not throttle a whole unlimited run to a crawl.
 * Thread-safe: the rate is swapped under this object's lock.
 */
public final class RateGate {

    private static final Duration RESERVE_TIMEOUT = Duration.ofDays(1);
    /**
     * Starts are spaced 1% wider than the rate: a start that a timer fires late is not moved
     * back, so without slack two starts could fall closer together than the rate allows.
     */
    private static final double SLACK = 1.01;
    /**
     * The sliding window is 5% longer than the period: a start delayed on its way (a GC pause,
     * a busy server thread) arrives later than it left, and 5% of a second absorbs 50 ms of
     * that. A run therefore settles at about 95% of the configured rate. (2% was not enough:
     * on a loaded machine the server saw 102 requests in one second at 100/s.)
     */
    private static final double WINDOW_SLACK = 1.05;

    /** The reservation of an open gate: no wait, and nothing to give back. */
    private static final Slot OPEN = new Slot(0, 0, -1);
    /** The share of the rate a 429 came at that the recovery climbs back to (see above). */
    private static final double CEILING = 0.9;
    private static final long NONE = Long.MIN_VALUE;

    private final Rate configured;
    private final Duration recoveryStep;
    private final LongSupplier nanoTime;
    // All below guarded by this.
    private Rate current;
    // The most the recovery climbs back to: 90% of the rate in force at the last 429, or the
    // configured rate before any.
    private Rate ceiling;
    private RateLimiter limiter;
    // Which rate in force a reservation was made under: starts given back from another are
    // dropped, as they were spaced for it.
    private long plan;
    // Starts reserved, then given back unused (nanoTime), earliest first.
    private final java.util.PriorityQueue<Long> givenBack = new java.util.PriorityQueue<>();
    // Start times (nanoTime) of the last window.length reservations, oldest at next.
    private long[] window;
    private int next;
    private long windowNanos;
    // Times the last sent.length requests really went out, oldest at nextSent: a send that a
    // slow start-up or a late timer delayed must not bunch up with the sends after it.
    private long[] sent;
    private int nextSent;
    // The least time between two real sends: a spacing, less a little for timers' jitter.
    // Starts held back come due together (all those reserved before a Retry-After pause, at
    // its end; those a window held, at its end), and went as a burst, which a server that
    // allows a small burst counted against its limit (2 of 7 refused after a pause).
    private long leastGapNanos;
    // Real sends against the configured rate itself, never reset by a slowdown or recovery,
    // so no change of the rate in force can let its own period hold more than it allows.
    private final long[] configuredSent;
    private final long configuredWindowNanos;
    private int nextConfigured;
    private long lastChangeNanos;
    private long last429Nanos = Long.MIN_VALUE / 2;
    private long slowdowns;
    private long lastSlowdownNanos;
    // The latest start reserved or recorded (reservations may lie in the future).
    private long lastActivityNanos;
    // No start before this (nanoTime): the server's Retry-After on a 429.
    private long pausedUntilNanos;

    /** A gate at {@code rate}, or unlimited until a 429 when {@code rate} is null. */
    public RateGate(Rate rate, Duration recoveryStep, LongSupplier nanoTime) {
        this.configured = rate;
        this.ceiling = rate;
        this.recoveryStep = recoveryStep;
        this.nanoTime = nanoTime;
        this.lastChangeNanos = nanoTime.getAsLong();
        this.lastActivityNanos = lastChangeNanos;
        this.pausedUntilNanos = lastChangeNanos;
        if (rate != null) {
            Window bound = Window.of(rate);
            this.configuredSent = new long[bound.starts()];
            java.util.Arrays.fill(configuredSent, Long.MIN_VALUE / 2);
            this.configuredWindowNanos = bound.nanos();
            use(rate);
        } else {
            this.configuredSent = null;
            this.configuredWindowNanos = 0;
        }
    }

    public static RateGate of(Rate rate) {
        return new RateGate(rate, Duration.ofSeconds(5), System::nanoTime);
    }

    /** Reserves one start; returns the nanoseconds to wait before it (0: start now). */
    public synchronized long reserve() {
        return reserveSlot().waitNanos();
    }

    /**
     * Reserves one start, a start given back if there is one, else the next the rate allows;
     * the caller waits {@link Slot#waitNanos()} before it, or gives it back.
     */
    public synchronized Slot reserveSlot() {
        recover();
        if (limiter == null) {
            return OPEN;
        }
        long now = nanoTime.getAsLong();
        // A start given back was already counted in the window: it takes that start's place.
        long givenBack = takeGivenBack(now);
        long startAt = givenBack != NONE ? givenBack : Math.max(now + Math.max(0,
                limiter.reservePermission()), window[next] + windowNanos);
        startAt = Math.max(startAt, pausedUntilNanos);
        if (givenBack == NONE) {
            window[next] = startAt;
            next = (next + 1) % window.length;
        }
        lastActivityNanos = Math.max(lastActivityNanos, startAt);
        return new Slot(startAt, Math.max(0, startAt - now), plan);
    }

    /**
     * {@code slot}'s request was withdrawn before its start: the next reservation takes the
     * start instead. Nothing when the rate in force has changed since it was reserved.
     */
    public synchronized void giveBack(Slot slot) {
        if (limiter != null && slot.plan() == plan) {
            givenBack.add(slot.startAt());
        }
    }

    /** The earliest start given back that has not gone stale, or {@link #NONE}. */
    private long takeGivenBack(long now) {
        // One more than a spacing in the past, it would bunch with the starts planned after it.
        long stale = now - current.spacingNanos();
        Long startAt;
        while ((startAt = givenBack.poll()) != null) {
            if (startAt - stale >= 0) {
                return Math.max(startAt, now);
            }
        }
        return NONE;
    }

    /** How long a send must wait for the sliding window now; records nothing. */
    public synchronized long waitNow() {
        if (limiter == null) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        long wait = sent[nextSent] + windowNanos - now;
        wait = Math.max(wait, sent[Math.floorMod(nextSent - 1, sent.length)] + leastGapNanos
                - now);
        if (configuredSent != null) {
            wait = Math.max(wait, configuredSent[nextConfigured] + configuredWindowNanos - now);
        }
        // Reservations made before the pause began are held back here, as they go to start.
        wait = Math.max(wait, pausedUntilNanos - now);
        return Math.max(0, wait);
    }

    /** Counts a send that went out now (after {@link #waitNow()} said 0). */
    public synchronized void recordSend() {
        if (limiter == null) {
            return;
        }
        long now = nanoTime.getAsLong();
        lastActivityNanos = Math.max(lastActivityNanos, now);
        sent[nextSent] = now;
        nextSent = (nextSent + 1) % sent.length;
        if (configuredSent != null) {
            configuredSent[nextConfigured] = now;
            nextConfigured = (nextConfigured + 1) % configuredSent.length;
        }
    }

    /**
     * Counts every start so far as made now. For the end of a cold start: the first request
     * was counted as it left, but reached the server tens of milliseconds later (the first
     * connection, class loading), more than the window's slack absorbs, and the starts paced
     * after it made the server count one more than the rate in its first second. It has
     * arrived by the time it completes, so counting it then is safe.
     */
    public synchronized void countStartsSoFarAsNow() {
        if (limiter == null) {
            return;
        }
        long now = nanoTime.getAsLong();
        for (long[] starts : new long[][] {window, sent, configuredSent}) {
            if (starts == null) {
                continue;
            }
            for (int i = 0; i < starts.length; i++) {
                if (starts[i] != Long.MIN_VALUE / 2 && starts[i] - now < 0) {
                    starts[i] = now;
                }
            }
        }
        lastActivityNanos = Math.max(lastActivityNanos, now);
    }

    /** The server answered 429: halve the rate, once per burst, and lower the ceiling. */
    synchronized void onRateLimited() {
        onRateLimited(nanoTime.getAsLong());
    }

    /**
     * As {@link #onRateLimited(long)}, the 429 asking, with its {@code Retry-After}, for no
     * request for {@code retryAfterNanos} (0 when it gave none): no start comes before then.
     * Whether the hold is told is not the gate's to judge: it paces.
     */
    public synchronized void onRateLimited(long sentNanos, long retryAfterNanos) {
        onRateLimited(sentNanos);
        if (configured == null || retryAfterNanos <= 0) {
            return;
        }
        long until = nanoTime.getAsLong() + retryAfterNanos;
        if (until - pausedUntilNanos > 0) {
            pausedUntilNanos = until;
        }
        lastActivityNanos = Math.max(lastActivityNanos, pausedUntilNanos);
    }

    /**
     * The server answered 429 to a request sent at {@code sentNanos}. A request sent before
     * the last slowdown says nothing about the slower rate, so it changes nothing: without
     * this, the 429s to requests already under way would halve the rate again and again.
     */
    public synchronized void onRateLimited(long sentNanos) {
        if (configured == null || (slowdowns > 0 && sentNanos - lastSlowdownNanos < 0)) {
            return;
        }
        long now = nanoTime.getAsLong();
        long spacing = this.current == null ? 0 : this.current.spacingNanos();
        if (now - last429Nanos < Math.max(spacing, Duration.ofMillis(100).toNanos())) {
            return;
        }
        last429Nanos = now;
        lastSlowdownNanos = now;
        slowdowns++;
        // The rate in force now, which may be a step above the one the request went at (the
        // rate only rises between slowdowns): the next 429, if one comes, lowers it further.
        ceiling = atLeastFloor(current.times(CEILING));
        use(atLeastFloor(current.times(0.5)));
        lastChangeNanos = now;
    }

    /** {@code rate}, or a tenth of the configured rate when it is below that. */
    private Rate atLeastFloor(Rate rate) {
        double floor = configured.perSecond() / 10;
        return rate.perSecond() >= floor ? rate : new Rate(floor, Duration.ofSeconds(1));
    }

    /**
     * True when a fresh gate would behave exactly as this one: nothing was reserved or sent
     * within the last window, and no 429 has slowed it or lowered its ceiling (a host that
     * refused once keeps its gate, and its limit, for the run). Per-host gates are dropped then,
     * so a run over millions of hosts does not keep a gate for each.
     */
    public synchronized boolean forgettable() {
        if (limiter == null) {
            return configured == null;
        }
        long now = nanoTime.getAsLong();
        long window = Math.max(windowNanos, configuredWindowNanos);
        return current == configured && ceiling == configured
                && now - lastActivityNanos > window;
    }

    /** The rate now in force (recovered as far as the time since allows), or null: unlimited. */
    public synchronized Rate current() {
        recover();
        return current;
    }

    /** How many times a 429 lowered the rate. */
    synchronized long slowdowns() {
        return slowdowns;
    }

    /**
     * A tenth of the configured rate back for each recovery step since the last change or 429,
     * up to the ceiling. Counted, not one a call: it ran only as a start was reserved, so at
     * 3/min (a start every 20 s, more after a halving) it climbed a tenth a start, and the
     * summary's rate at the end was the last reservation's.
     */
    private void recover() {
        if (configured == null || current == ceiling) {
            return;
        }
        long now = nanoTime.getAsLong();
        long quietSince = lastChangeNanos - last429Nanos > 0 ? lastChangeNanos : last429Nanos;
        long steps = (now - quietSince) / recoveryStep.toNanos();
        if (steps < 1) {
            return;
        }
        lastChangeNanos = quietSince + steps * recoveryStep.toNanos();
        double target = ceiling.perSecond();
        double next = Math.min(target, current.perSecond() + configured.perSecond() * 0.1
                * steps);
        if (next > current.perSecond()) {
            use(next == target ? ceiling : new Rate(next, Duration.ofSeconds(1)));
        }
    }

    private void use(Rate rate) {
        current = rate;
        plan++;
        givenBack.clear();
        Window bound = Window.of(rate);
        window = new long[bound.starts()];
        java.util.Arrays.fill(window, Long.MIN_VALUE / 2);
        next = 0;
        long[] previous = sent;
        int previousNext = nextSent;
        sent = new long[window.length];
        java.util.Arrays.fill(sent, Long.MIN_VALUE / 2);
        nextSent = 0;
        if (previous != null) {
            // Keep the most recent real sends, so a rate change cannot open a burst.
            for (int i = 0; i < Math.min(previous.length, sent.length); i++) {
                sent[sent.length - 1 - i] = previous[Math.floorMod(previousNext - 1 - i,
                        previous.length)];
            }
        }
        windowNanos = bound.nanos();
        long spacing = rate.spacingNanos();
        leastGapNanos = spacing - Math.min(spacing / 2, 1_000_000);
        limiter = RateLimiter.of("bulkfetch-rate", RateLimiterConfig.custom()
                .limitForPeriod(1)
                .limitRefreshPeriod(Duration.ofNanos(Math.round(rate.spacingNanos() * SLACK)))
                .timeoutDuration(RESERVE_TIMEOUT)
                .build());
    }

    /**
     * A reserved start: when (nanoTime), how long the caller waits for it, and the rate in
     * force it was reserved under.
     */
    public record Slot(long startAt, long waitNanos, long plan) {
    }

    /**
     * The sliding window that bounds a rate: at most {@code starts} starts in any
     * {@code nanos}, which is a whole number of periods, 5% longer.
     *
     * <p>A rate that is no whole number a period is counted over as many periods as make one
     * (1.5/s is 3 starts in 2 s): rounded down to starts per single period, 1.5/s ran at 1/s,
     * and so did the 3/s a 429 halved. A window of more than {@link #MOST} starts is cut into
     * equal parts, each holding its share rounded down, so no window over the whole period
     * holds more: the gate keeps a start time per start a window holds, three times over, and
     * 10^6/s, a limit in name only, took 24 MB a gate (a gate per host with a rate per host).
     */
    record Window(int starts, long nanos) {

        static final int MOST = 1024;

        static Window of(Rate rate) {
            double periods = wholePeriods(rate.permits());
            double inPeriods = rate.permits() * periods;
            // A long: 10^9/s over an hour is 3.5e9 parts, past an int, whose Integer.MAX_VALUE
            // left more than MOST starts a part (an OutOfMemoryError at higher rates).
            long parts = (long) Math.max(1, Math.ceil(inPeriods / MOST - 1e-9));
            int starts = (int) Math.max(1, Math.floor(inPeriods / parts + 1e-9));
            // Held in a long: a rate of one a year is a window of 21 years (7e17 ns).
            double nanos = rate.period().toNanos() * periods / parts * WINDOW_SLACK;
            return new Window(starts, (long) Math.min(Long.MAX_VALUE / 4, Math.round(nanos)));
        }

        /**
         * The fewest periods, up to a minute's worth of them, that hold a whole number of
         * starts (one at least) at {@code permits} a period; failing that, enough to hold 20,
         * so that rounding down loses at most 5%.
         */
        private static double wholePeriods(double permits) {
            for (int periods = 1; periods <= 60; periods++) {
                double starts = permits * periods;
                if (Math.rint(starts) >= 1
                        && Math.abs(starts - Math.rint(starts)) < 1e-6 * starts) {
                    return periods;
                }
            }
            return Math.ceil(20 / permits);
        }
    }
}
