package dev.bulkfetch.cli;

import static dev.bulkfetch.testing.RunParts.collecting;
import static dev.bulkfetch.testing.RunParts.item;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.Rate;
import dev.bulkfetch.input.InputItem;
import dev.bulkfetch.output.Tally;
import dev.bulkfetch.run.BulkRun;
import dev.bulkfetch.run.Hold;
import dev.bulkfetch.run.Source;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.TestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notes of Retry-After holds that no test can wait out (a minute, an hour): each hold is
 * asserted as it begins, by the run's listener, which then stops the run; or the run has
 * nothing left to send (--retries 0), so it ends with the hold still in force.
 */
class HoldsSaidTest {

    @TempDir
    Path dir;

    /** A server on 127.0.0.1 answering 429 with {@code retryAfter}, counting requests. */
    private static HttpServer answering429(String retryAfter, AtomicInteger requests)
            throws Exception {
        return answering(429, retryAfter, requests);
    }

    private static HttpServer answering(int status, String retryAfter, AtomicInteger requests)
            throws Exception {
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("Retry-After", retryAfter);
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String base(HttpServer server) {
        return base(server, "127.0.0.1");
    }

    /** The server's base URL naming it {@code host}: the per-host key, whatever it reaches. */
    private static String base(HttpServer server, String host) {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    /**
     * From a review: without --rate, items answered 429 waited out the Retry-After before
     * their retries, up to an hour, and the run said nothing. Now a hold is said once per
     * host, not per item: a hundred items answered Retry-After: 60 by one host make one note,
     * and the other host's, an hour cut from two, its own. The source, asked on the driver's
     * thread, gives the other host's item once the driver has handled the hundred 429s, and
     * stops the run once it has handled that one's too.
     */
    @Test
    void withoutARateTheItemsAHostAnswered429AreSaidToWaitOncePerHostNotPerItem()
            throws Exception {
        AtomicInteger toFirst = new AtomicInteger();
        AtomicInteger toSecond = new AtomicInteger();
        HttpServer first = answering429("60", toFirst);
        HttpServer second = answering429("7200", toSecond);
        List<Hold> holds = Collections.synchronizedList(new ArrayList<>());
        List<FetchResult> records = new ArrayList<>();
        Tally tally = new Tally();
        try (BulkRun run = new BulkRun(FetchConfig.builder().concurrency(200).build())) {
            run.onHold(holds::add);
            Iterator<InputItem> held = LongStream.rangeClosed(1, 100)
                    .mapToObj(seq -> item(seq, base(first) + "/held/" + seq)).iterator();
            // Another host to bulkfetch, which keys its holds on the host name.
            InputItem last = item(101, base(second, TestServer.OTHER_HOST) + "/last");

            run.run(new Source() {
                private boolean lastRead;

                @Override
                public InputItem poll() {
                    if (held.hasNext()) {
                        return held.next();
                    }
                    long answered = tally.snapshot(0, 0, "", 1, null).rateLimited();
                    if (!lastRead && answered == 100) {
                        lastRead = true;
                        return last;
                    }
                    if (answered == 101) {
                        run.stop();  // the retries wait a minute and an hour
                    }
                    return null;
                }

                @Override
                public boolean exhausted() {
                    return lastRead;
                }
            }, collecting(records), tally);
        } finally {
            first.stop(0);
            second.stop(0);
        }

        assertThat(toFirst.get()).as("no retry went in the hold").isEqualTo(100);
        assertThat(toSecond.get()).isEqualTo(1);
        assertThat(records).as("all stopped before their retries").isEmpty();
        assertThat(holds).extracting(Hold::scope)
                .containsOnly(Hold.Scope.ANSWERED);
        assertThat(holds).extracting(hold -> HoldNote.of(hold, null, ZoneOffset.UTC)
                        .replaceAll("\\d\\d:\\d\\d:\\d\\d", "HH:MM:SS"))
                .containsExactly("bulkfetch fetch: the server at 127.0.0.1 asked to wait 1 min"
                        + " (a 429's Retry-After): the items it answered 429 wait until HH:MM:SS"
                        + " to go again; the run goes on with the others",
                        "bulkfetch fetch: the server at localhost asked to wait 2 h (a 429's"
                        + " Retry-After), longer than the 1 h bulkfetch waits at most: the items"
                        + " it answered 429 wait until HH:MM:SS to go again; the run goes on"
                        + " with the others");
    }

    /**
     * From a review: a Retry-After past an hour was cut to an hour without a word. Under
     * --rate the whole run is held; with --retries 0 nothing is left to send, and the run ends
     * as its note is said. Not with -q.
     */
    @Test
    void aRetryAfterPastAnHourIsSaidToBeCutToTheHourBulkfetchWaitsAtMost() throws Exception {
        HttpServer server = answering429("7200", new AtomicInteger());
        try {
            Path list = TestServer.write(dir.resolve("one.txt"), base(server) + "/ban\n");
            for (boolean quiet : new boolean[] {false, true}) {
                List<String> args = new ArrayList<>(List.of("fetch", list.toString(), "--rate",
                        "10/s", "--retries", "0"));
                if (quiet) {
                    args.add("-q");
                }

                Cli.Result result = Cli.run(args.toArray(String[]::new));

                assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
                List<String> notes = result.err().lines()
                        .filter(line -> line.contains("asked to wait")).toList();
                if (quiet) {
                    assertThat(notes).as(result.err()).isEmpty();
                } else {
                    assertThat(notes).as(result.err()).singleElement().asString().matches(
                            "bulkfetch fetch: the server at 127\\.0\\.0\\.1 asked to wait 2 h"
                            + " \\(a 429's Retry-After\\), longer than the 1 h bulkfetch waits"
                            + " at most: the run sends nothing until \\d\\d:\\d\\d:\\d\\d");
                }
            }
        } finally {
            server.stop(0);
        }
    }

    /**
     * From a review: a 503's Retry-After delayed its item's retry, and nothing was said, with
     * a rate or without (no gate holds for a 503: only the items it answered wait, in every
     * case). Said as the item backs off for it, naming the 503; the listener then stops the
     * run, so the retry does not go. (6 s, told, is the least a run that fails waits out.)
     * Under a rate the others do not simply go on: they go at its pace, which a 503 leaves as
     * it was (only a 429 slows it, and holds it), and the note said the run went on.
     */
    @Test
    void a503sRetryAfterIsSaidWithOrWithoutARate() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = answering(503, "6", requests);
        Rate tenPerSecond = Rate.parse("10/s");
        Map<FetchConfig, String> others = new LinkedHashMap<>();
        others.put(FetchConfig.builder().build(), "the run goes on with the others");
        others.put(FetchConfig.builder().rate(tenPerSecond).build(),
                "the others go at the pace of --rate, which a 503 does not slow");
        others.put(FetchConfig.builder().ratePerHost(tenPerSecond).build(),
                "the others go at the pace of --rate-per-host, which a 503 does not slow");
        others.put(FetchConfig.builder().rate(tenPerSecond).ratePerHost(tenPerSecond).build(),
                "the others go at the pace of --rate and --rate-per-host, which a 503 does"
                + " not slow");
        try {
            for (Map.Entry<FetchConfig, String> paced : others.entrySet()) {
                FetchConfig config = paced.getKey();
                List<Hold> holds = Collections.synchronizedList(new ArrayList<>());
                try (BulkRun run = new BulkRun(config)) {
                    run.onHold(hold -> {
                        holds.add(hold);
                        run.stop();
                    });
                    run.run(List.<InputItem>of(item(1, base(server) + "/busy")).iterator(),
                            collecting(new ArrayList<>()), new Tally());
                }

                assertThat(holds).as(paced.getValue()).singleElement().satisfies(hold -> {
                    assertThat(hold.status()).isEqualTo(503);
                    assertThat(hold.scope()).isEqualTo(Hold.Scope.ANSWERED);
                    assertThat(HoldNote.of(hold, HoldNote.pacedBy(config), ZoneOffset.UTC))
                            .matches("bulkfetch fetch: the server at 127\\.0\\.0\\.1 asked"
                            + " to wait 6 s \\(a 503's Retry-After\\): the items it answered"
                            + " 503 wait until \\d\\d:\\d\\d:\\d\\d to go again; "
                            + paced.getValue());
                });
            }
        } finally {
            server.stop(0);
        }
        assertThat(requests.get()).as("no retry went").isEqualTo(others.size());
    }
}
