package dev.bulkfetch.readme;

// README-START
import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.Fetcher;
import java.net.URI;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;

public class ReadmeExample {

    /** Fetches item pages 1..n politely and returns the ids of the pages that failed. */
    public static List<Long> failedPages(String baseUrl, int n) {
        try (Fetcher fetcher = Fetcher.builder()
                .concurrency(16)          // never more than 16 requests in flight
                .rate("200/s")            // never more than 200 starts in any second
                .build()) {
            // One request, as a future:
            FetchResult first = fetcher.fetch(
                    FetchRequest.get(1, URI.create(baseUrl + "/items/1"))).join();
            System.out.println("first: " + first.status() + " in " + first.latencyMillis() + " ms");

            // Many, lazily: requests are taken only as results are consumed.
            Stream<FetchRequest> pages = LongStream.rangeClosed(1, n)
                    .mapToObj(i -> FetchRequest.get(i, URI.create(baseUrl + "/items/" + i)));
            return fetcher.stream(pages)
                    .filter(result -> !result.ok())
                    .map(FetchResult::seq)
                    .sorted()
                    .toList();
        }
    }
}
// README-END
