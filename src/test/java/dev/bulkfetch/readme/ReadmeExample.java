package dev.bulkfetch.readme;

// README-START
import dev.bulkfetch.BodyHandlers;
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.Fetcher;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;

public class ReadmeExample {

    /** What the shop's API answers for one item; Jackson fills it as the body streams in. */
    public record Item(String name, long cents) {
    }

    public record Report(long totalCents, List<Long> failedPages) {
    }

    /** Fetches item pages 1..n politely: totals their prices and lists the pages that failed. */
    public static Report totalPrice(String baseUrl, int n) {
        try (Fetcher fetcher = Fetcher.builder()
                .concurrency(16)          // never more than 16 requests in flight
                .rate("200/s")            // never more than 200 starts in any second
                .bodyHandler(BodyHandlers.json(Item.class))  // keep the parsed item, not bytes
                .build()) {
            // One request, as a future:
            FetchResult first = fetcher.fetch(
                    FetchRequest.get(1, URI.create(baseUrl + "/items/1"))).join();
            System.out.println("first: " + first.body(Item.class) + " in "
                    + first.latencyMillis() + " ms");

            // Many, lazily: requests are taken only as results are consumed.
            Stream<FetchRequest> pages = LongStream.rangeClosed(1, n)
                    .mapToObj(i -> FetchRequest.get(i, URI.create(baseUrl + "/items/" + i)));
            long total = 0;
            List<Long> failed = new ArrayList<>();
            for (FetchResult result : (Iterable<FetchResult>) fetcher.stream(pages)::iterator) {
                if (result.ok()) {
                    total += result.body(Item.class).cents();
                } else {
                    failed.add(result.seq());  // every item has a result, failed or not
                }
            }
            failed.sort(null);
            return new Report(total, failed);
        }
    }
}
// README-END
