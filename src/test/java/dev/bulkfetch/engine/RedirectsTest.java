package dev.bulkfetch.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulkfetch.FetchRequest;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedirectsTest {

    private static final Map<String, String> HEADERS = Map.of("authorization", "Bearer t",
            "Cookie", "s=1", "Proxy-Authorization", "Basic x", "Content-Type", "text/plain",
            "X-Trace", "t");

    private static FetchRequest post(String url) {
        return new FetchRequest(7, "id-7", URI.create(url), "POST", HEADERS,
                "a=1".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRedirectWithinTheOriginKeepsEverythingButTheUrl() throws Exception {
        FetchRequest next = Redirects.follow(post("http://API.example:80/a?x=1"), 307, "/b");
        assertThat(next.url()).isEqualTo(URI.create("http://API.example:80/b"));
        assertThat(next.method()).isEqualTo("POST");
        assertThat(next.headers()).isEqualTo(HEADERS);
        assertThat(next.body()).isNotNull();
        assertThat(next.seq()).isEqualTo(7);
        assertThat(next.id()).isEqualTo("id-7");
        // The default port written out, and the host in another case, are the same origin.
        assertThat(Redirects.follow(post("http://api.example/a"), 308,
                "http://api.EXAMPLE:80/b").headers()).isEqualTo(HEADERS);
    }

    @Test
    void anotherHostPortOrSchemeGetsNoCredentials() throws Exception {
        for (String elsewhere : new String[] {"http://cdn.example/b", "http://api.example:8080/b",
                "https://api.example/b"}) {
            FetchRequest next = Redirects.follow(post("http://api.example/a"), 307, elsewhere);
            assertThat(next.headers()).as(elsewhere)
                    .containsOnlyKeys("Content-Type", "X-Trace");
            assertThat(next.method()).isEqualTo("POST");
        }
    }

    @Test
    void a303OrA302AfterAPostGoesOnAsABodilessGet() throws Exception {
        for (int status : new int[] {302, 303}) {
            FetchRequest next = Redirects.follow(post("http://api.example/a"), status, "/b");
            assertThat(next.method()).isEqualTo("GET");
            assertThat(next.body()).isNull();
            assertThat(next.headers()).doesNotContainKey("Content-Type")
                    .containsKeys("authorization", "X-Trace");
        }
        FetchRequest head = new FetchRequest(1, null, URI.create("http://a.example/"), "HEAD",
                Map.of(), null);
        assertThat(Redirects.follow(head, 301, "/b").method()).isEqualTo("HEAD");
    }

    @Test
    void aLocationThatIsNoHttpUrlIsAProtocolError() {
        assertThatThrownBy(() -> Redirects.follow(post("http://api.example/a"), 302,
                "ftp://api.example/b")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("not http or https");
        assertThatThrownBy(() -> Redirects.follow(post("http://api.example/a"), 302,
                "http://exa mple/")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("bad redirect Location");
    }
}
