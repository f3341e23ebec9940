package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A fetcher sends each request under a seq of its own; its body handler is shown the caller's
 * request, and opens nothing for a request the caller has withdrawn.
 */
class CallersResponsesTest {

    /** As an engine shows a response: the fetcher's own seq and the request as it went. */
    private record Sent(long seq, String id, String method) implements BodyHandler.ResponseInfo {
        @Override
        public int status() {
            return 200;
        }

        @Override
        public Optional<String> header(String name) {
            return Optional.of("v");
        }

        @Override
        public URI url() {
            return URI.create("http://127.0.0.1:1/to");
        }
    }

    @Test
    void theHandlerIsShownTheCallersRequestAndNothingOfAWithdrawnOne() {
        List<BodyHandler.ResponseInfo> seen = new ArrayList<>();
        BodyHandler<Void> noting = response -> {
            seen.add(response);
            return null;
        };
        FetchRequest asked = FetchRequest.builder(41, URI.create("http://127.0.0.1:1/from"))
                .id("page-41").method("HEAD").build();
        BodyHandler<Void> shown = CallersResponses.of(noting, seq -> seq == 3 ? asked : null);

        shown.open(new Sent(3, "page-41", "HEAD"));
        shown.open(new Sent(4, "page-42", "GET"));  // withdrawn: no caller's request

        assertThat(seen).hasSize(1);
        BodyHandler.ResponseInfo response = seen.get(0);
        assertThat(response.seq()).isEqualTo(41);
        assertThat(response.id()).isEqualTo("page-41");
        assertThat(response.method()).isEqualTo("HEAD");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("X")).contains("v");
        assertThat(response.headers("X")).containsExactly("v");
        assertThat(response.url()).isEqualTo(URI.create("http://127.0.0.1:1/to"));
    }
}
