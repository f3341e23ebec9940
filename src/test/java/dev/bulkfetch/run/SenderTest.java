package dev.bulkfetch.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.Rate;
import dev.bulkfetch.engine.Engine;
import dev.bulkfetch.engine.Outcome;
import dev.bulkfetch.limit.RateGate;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SenderTest {

    /** Answers every request at once, without a network. */
    private static class InstantEngine implements Engine {
        @Override
        public String name() {
            return "instant";
        }

        @Override
        public CompletableFuture<Outcome> send(FetchRequest request) {
            return CompletableFuture.completedFuture(new Outcome(200, 0, 0, null, null, null));
        }

        @Override
        public void close() {
        }
    }

    private static void sendToNewHosts(Sender sender, BlockingQueue<Sender.Done> done, int from,
                                       int count) throws InterruptedException {
        for (int i = from; i < from + count; i++) {
            FetchRequest request = FetchRequest.get(i, URI.create("http://h" + i + ".test/"));
            sender.send(new Attempt(request, i, 1));
        }
        for (int taken = 0; taken < count; ) {
            if (done.take() != Sender.Done.WAKE_UP) {
                taken++;
            }
        }
    }

    /**
     * Under a rate the first request goes alone, and the rest wait for it: when it hung (a
     * server that never answers), they waited its whole timeout. They wait a second at most.
     */
    @Test
    void aFirstRequestThatHangsHoldsTheOthersBackForASecondAtMost() throws Exception {
        BlockingQueue<Sender.Done> done = new LinkedBlockingQueue<>();
        CompletableFuture<Outcome> never = new CompletableFuture<>();
        Engine firstHangs = new InstantEngine() {
            @Override
            public CompletableFuture<Outcome> send(FetchRequest request) {
                return request.seq() == 1 ? never : super.send(request);
            }
        };
        try (Sender sender = new Sender(firstHangs, RateGate.of(Rate.parse("100/s")), null,
                done)) {
            long start = System.nanoTime();
            for (int i = 1; i <= 3; i++) {
                sender.send(new Attempt(FetchRequest.get(i, URI.create("http://h.test/" + i)),
                        i, 1));
            }

            // One deadline for both: the hold is a second; 3 s leaves a loaded machine room,
            // and a hold of the request's whole timeout (or of 8 s) fails.
            long deadline = start + java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
            for (int i = 2; i <= 3; i++) {
                Sender.Done sent = done.poll(deadline - System.nanoTime(),
                        java.util.concurrent.TimeUnit.NANOSECONDS);
                assertThat(sent).as("sent within 3 s though the first hangs").isNotNull();
                assertThat(sent.attempt().request().seq()).isNotEqualTo(1);
            }
            never.complete(new Outcome(200, 0, 0, null, null, null));
        }
    }

    /**
     * Ctrl-C while a redirect waits for its start under the rate: the item comes back unsent,
     * at once. It waited out the grace, and then had a timeout's record, so --resume did not
     * fetch it again.
     */
    @Test
    void stoppingHandsBackAnItemWhoseRedirectWaitsForTheRate() throws Exception {
        BlockingQueue<Sender.Done> done = new LinkedBlockingQueue<>();
        java.util.function.Function<dev.bulkfetch.engine.RedirectGate, Engine> redirecting =
                gate -> new InstantEngine() {
                    @Override
                    public CompletableFuture<Outcome> send(FetchRequest request) {
                        // As the engines do: a redirect's request waits for its permit.
                        return gate.permit(URI.create("http://h.test/moved"))
                                .handle((allowed, refused) -> refused == null
                                        ? new Outcome(200, 0, 0, null, null, null)
                                        : Outcome.failure(dev.bulkfetch.FetchError.of(
                                                dev.bulkfetch.ErrorKind.CANCELLED,
                                                refused.getMessage()), 0, 0));
                    }
                };
        try (Sender sender = new Sender(redirecting, RateGate.of(Rate.parse("1/min")), null,
                done)) {
            // The first request goes at once (send returns once it has): its redirect then
            // waits for the next start, a minute off.
            sender.send(new Attempt(FetchRequest.get(1, URI.create("http://h.test/1")), 1, 1));
            assertThat(done).isEmpty();

            sender.stop();

            Sender.Done back = done.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(back).as("handed back at once").isNotNull();
            assertThat(back.sent()).isFalse();
        }
    }

    /**
     * From an exploratory test: a 429 that came after a redirect to another host held the
     * item's first host under --rate-per-host, and said so, while the host that asked for the
     * pause went on getting requests into its own ban. The host that answered waits.
     */
    @Test
    void a429AfterARedirectHoldsTheHostThatAnswered() throws Exception {
        BlockingQueue<Sender.Done> done = new LinkedBlockingQueue<>();
        Engine redirectedTo429 = new InstantEngine() {
            @Override
            public CompletableFuture<Outcome> send(FetchRequest request) {
                return CompletableFuture.completedFuture(new Outcome(429, 0, 0, null, "60",
                        null, URI.create("http://b.test/limited"), false, false, false));
            }
        };
        try (Sender sender = new Sender(redirectedTo429, RateGate.of(null),
                Rate.parse("10/s"), done)) {
            sender.send(new Attempt(FetchRequest.get(1, URI.create("http://a.test/1")), 1, 1));

            Sender.Done answered = nextDone(done);
            assertThat(answered).isNotNull();
            assertThat(answered.hold()).isNotNull();
            assertThat(answered.hold().host()).isEqualTo("b.test");
            sender.send(new Attempt(FetchRequest.get(2, URI.create("http://a.test/2")), 2, 1));
            assertThat(nextDone(done)).as("the first host's next request, not held")
                    .isNotNull();
            sender.send(new Attempt(FetchRequest.get(3, URI.create("http://b.test/3")), 3, 1));
            assertThat(sender.waitsForStart("b.test")).as("the host that answered, held")
                    .isTrue();
        }
    }

    /** The next attempt back, within 10 s, wake-ups skipped; null when none came. */
    private static Sender.Done nextDone(BlockingQueue<Sender.Done> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        for (Sender.Done next; (next = done.poll(deadline - System.nanoTime(),
                java.util.concurrent.TimeUnit.NANOSECONDS)) != null; ) {
            if (next != Sender.Done.WAKE_UP) {
                return next;
            }
        }
        return null;
    }

    /**
     * A library's close, which comes without a stop: a redirect's permit waiting for the rate
     * was left pending for good when the timer that would give it shut down, and one asked for
     * after the close met the shut-down timer. Both fail as the run's stop fails them.
     */
    @Test
    void closingFailsTheRedirectPermitsNotYetGiven() throws Exception {
        java.util.concurrent.atomic.AtomicReference<dev.bulkfetch.engine.RedirectGate> gate =
                new java.util.concurrent.atomic.AtomicReference<>();
        Sender sender = new Sender(redirects -> {
            gate.set(redirects);
            return new InstantEngine();
        }, RateGate.of(Rate.parse("1/min")), null, new LinkedBlockingQueue<>());
        URI to = URI.create("http://h.test/moved");
        CompletableFuture<Void> waiting;
        try {
            assertThat(gate.get().permit(to)).as("the first start, at once").isCompleted();
            waiting = gate.get().permit(to);
            assertThat(waiting).as("the next, a minute off").isNotDone();
        } finally {
            sender.close();
        }

        assertThatThrownBy(() -> waiting.get(3, java.util.concurrent.TimeUnit.SECONDS))
                .as("failed by the close").isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> gate.get().permit(to).get(3,
                java.util.concurrent.TimeUnit.SECONDS))
                .as("asked for after the close").isInstanceOf(CancellationException.class);
    }

    /**
     * Ctrl-C under a rate: what waits for its start (here 1 a minute: all but the first) or
     * for the first answer is handed back unsent at once, and never reaches the engine.
     */
    @Test
    void stoppingHandsBackWhatWaitsForTheRateUnsentAndSendsNoneOfIt() throws Exception {
        BlockingQueue<Sender.Done> done = new LinkedBlockingQueue<>();
        AtomicLong sent = new AtomicLong();
        Engine counting = new InstantEngine() {
            @Override
            public CompletableFuture<Outcome> send(FetchRequest request) {
                sent.incrementAndGet();
                return super.send(request);
            }
        };
        try (Sender sender = new Sender(counting, RateGate.of(Rate.parse("1/min")), null,
                done)) {
            sender.send(new Attempt(FetchRequest.get(1, URI.create("http://h.test/1")), 1, 1));
            assertThat(done.poll(10, java.util.concurrent.TimeUnit.SECONDS).sent()).isTrue();
            for (int i = 2; i <= 5; i++) {
                sender.send(new Attempt(FetchRequest.get(i, URI.create("http://h.test/" + i)),
                        i, 1));
            }

            sender.stop();
            sender.send(new Attempt(FetchRequest.get(6, URI.create("http://h.test/6")), 6, 1));

            java.util.List<Sender.Done> back = new java.util.ArrayList<>();
            for (int i = 2; i <= 6; i++) {
                Sender.Done handed = done.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(handed).as("handed back at once").isNotNull();
                back.add(handed);
            }
            assertThat(back).noneMatch(Sender.Done::sent);
            assertThat(back).extracting(d -> d.attempt().request().seq())
                    .containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L);
            assertThat(sent.get()).isEqualTo(1);
        }
    }

    /**
     * Under a rate per host, a host whose attempt waits for its start is reported as waiting,
     * so the driver starts no more of its items, and the driver is woken as that attempt goes
     * out, so it can start the next.
     */
    @Test
    void aHostWaitsForItsStartUntilItsAttemptGoesAndThenTheDriverIsWoken() throws Exception {
        BlockingQueue<Sender.Done> done = new LinkedBlockingQueue<>();
        // 0.5/s: the second start is 2 s away, longer than a loaded machine's stalls before it
        // is checked.
        try (Sender sender = new Sender(gate -> new InstantEngine(), RateGate.of(null),
                Rate.parse("0.5/s"), done)) {
            assertThat(sender.waitsForStart("h.test")).isFalse();
            for (int i = 1; i <= 2; i++) {
                sender.send(new Attempt(FetchRequest.get(i, URI.create("http://h.test/" + i)),
                        i, 1));
            }
            // The first went at once; the second waits for it (the warm-up), then 2 s.
            assertThat(sender.waitsForStart("h.test")).isTrue();
            assertThat(sender.waitsForStart("other.test")).isFalse();

            java.util.List<Object> seen = new java.util.ArrayList<>();
            while (seen.stream().filter(d -> d != Sender.Done.WAKE_UP).count() < 2) {
                Sender.Done next = done.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(next).as("both sent").isNotNull();
                seen.add(next == Sender.Done.WAKE_UP ? next : next.attempt().request().seq());
            }
            // Each went on the wire with the host's waiting over, and woke the driver first.
            assertThat(seen).containsExactly(Sender.Done.WAKE_UP, 1L, Sender.Done.WAKE_UP, 2L);
            assertThat(sender.waitsForStart("h.test")).isFalse();
        }
    }

    /**
     * A retry backing off (a Retry-After may be minutes) does not wait for its start yet: it
     * made its host wait, and the driver started none of that host's other items meanwhile.
     */
    @Test
    void aRetryBackingOffDoesNotMakeItsHostWait() throws Exception {
        BlockingQueue<Sender.Done> done = new LinkedBlockingQueue<>();
        try (Sender sender = new Sender(gate -> new InstantEngine(), RateGate.of(null),
                Rate.parse("10/s"), done)) {
            Attempt first = new Attempt(FetchRequest.get(1, URI.create("http://h.test/1")), 1, 1);
            sender.send(first);
            Sender.Done sent;
            do {
                sent = done.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(sent).as("the first went").isNotNull();
            } while (sent == Sender.Done.WAKE_UP);

            sender.backOff(first.next(), Duration.ofMinutes(1).toNanos());

            assertThat(sender.waitsForStart("h.test")).isFalse();
            sender.stop();
            Sender.Done back = done.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(back.sent()).isFalse();
            assertThat(sender.waitsForStart("h.test")).isFalse();
        }
    }

    @Test
    void perHostRateGatesOfIdleHostsAreSweptAsNewHostsComeIn() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        BlockingQueue<Sender.Done> done = new LinkedBlockingQueue<>();
        try (Sender sender = new Sender(gate -> new InstantEngine(), RateGate.of(null),
                Rate.parse("10/s"), done, now::get)) {
            sendToNewHosts(sender, done, 1, 2000);
            // All busy within the window: none may go, whatever the size.
            assertThat(sender.hostGates()).isEqualTo(2000);

            now.addAndGet(Duration.ofSeconds(2).toNanos());
            sendToNewHosts(sender, done, 10_001, 1000);
            // The 2,000 quiet ones went when the map passed its sweep mark; the new ones stay.
            assertThat(sender.hostGates()).isLessThanOrEqualTo(1000 + 48)
                    .isGreaterThanOrEqualTo(1000);
        }
    }
    /**
     * After review: requests withdrawn while they waited for their start under the rate kept
     * those starts, so a request after them waited behind every one (9 s at 2/s after 20).
     */
    @Test
    void aRequestWithdrawnWhileWaitingForItsStartGivesTheStartBack() throws Exception {
        BlockingQueue<Sender.Done> done = new LinkedBlockingQueue<>();
        RateGate gate = RateGate.of(Rate.parse("2/s"));
        java.util.Set<Long> withdrawn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (Sender sender = new Sender(new InstantEngine(), gate, null, done)) {
            sender.withdrawing(withdrawn::contains);
            sender.send(new Attempt(FetchRequest.get(1, URI.create("http://h.test/")), 1, 1));
            assertThat(done.take().sent()).as("the first, alone").isTrue();
            for (int seq = 2; seq <= 21; seq++) {
                FetchRequest request = FetchRequest.get(seq, URI.create("http://h.test/" + seq));
                sender.send(new Attempt(request, seq, 1));
            }
            for (long seq = 2; seq <= 21; seq++) {
                withdrawn.add(seq);
                sender.cancel(seq);
            }
            for (int i = 0; i < 20; i++) {
                assertThat(done.take().sent()).as("handed back unsent").isFalse();
            }

            assertThat(gate.reserve()).as("the next start: the first of those given back")
                    .isLessThan(Duration.ofSeconds(1).toNanos());
        }
    }
}
