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
            "X-Trace", "t", "Host", "api.example");

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
                    .containsOnlyKeys("Content-Type", "X-Trace");  // no Host either
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
        for (int status : new int[] {301, 302, 303, 307, 308}) {
            assertThat(Redirects.follow(head, status, "/b").method()).isEqualTo("HEAD");
        }
    }

    /**
     * A Location of only a query ("?page=2") went to the path's folder, as did an empty one:
     * java.net.URI resolves by RFC 2396. RFC 3986 (5.2.2, and browsers and curl) keeps the path.
     */
    @Test
    void aQueryOnlyOrEmptyLocationKeepsThePath() throws Exception {
        FetchRequest get = FetchRequest.get(1, URI.create("http://a.example/b/c/list?page=1#top"));
        assertThat(Redirects.follow(get, 302, "?page=2").url().toString())
                .isEqualTo("http://a.example/b/c/list?page=2");
        assertThat(Redirects.follow(get, 302, "").url().toString())
                .isEqualTo("http://a.example/b/c/list?page=1");
        assertThat(Redirects.follow(get, 302, "?q=a b").url().toString())
                .isEqualTo("http://a.example/b/c/list?q=a%20b");
        // Everything else resolves as before.
        assertThat(Redirects.follow(get, 302, "other?x=1").url().toString())
                .isEqualTo("http://a.example/b/c/other?x=1");
        assertThat(Redirects.follow(get, 302, "#part").url().getPath())
                .isEqualTo("/b/c/list");
    }

    /** "../../../g" from /b/c/d went to "/../g" (java.net.URI); RFC 3986 stops at the root. */
    @Test
    void dotSegmentsStopAtTheRoot() throws Exception {
        FetchRequest get = FetchRequest.get(1, URI.create("http://a.example/b/c/d?x=1"));
        assertThat(Redirects.follow(get, 302, "../../../g").url().toString())
                .isEqualTo("http://a.example/g");
        assertThat(Redirects.follow(get, 302, "/../../g?y=2").url().toString())
                .isEqualTo("http://a.example/g?y=2");
        assertThat(Redirects.follow(get, 302, "../../..").url().toString())
                .isEqualTo("http://a.example/");
        assertThat(Redirects.follow(get, 302, "../g").url().toString())
                .isEqualTo("http://a.example/b/g");
        assertThat(Redirects.follow(get, 302, "/..hidden").url().getRawPath())
                .isEqualTo("/..hidden");
    }

    @Test
    void charactersAUrlMayNotHoldArePercentEncoded() throws Exception {
        FetchRequest get = FetchRequest.get(1, URI.create("http://a.example/x/y"));
        assertThat(Redirects.follow(get, 302, " caf\u00e9 au lait?q=a b ").url().toString())
                .isEqualTo("http://a.example/x/caf%C3%A9%20au%20lait?q=a%20b");
        assertThat(Redirects.follow(get, 302, "/\ud83d\ude00|%41").url().getRawPath())
                .isEqualTo("/%F0%9F%98%80%7C%41");
    }

    /**
     * A server that writes a Location's UTF-8 raw: both clients read the bytes as Latin-1, and
     * every engine requested /caf%C3%83%C2%A9 (mojibake) where a browser asks for /caf%C3%A9.
     */
    @Test
    void aLocationInRawUtf8IsReadAsUtf8AndLatin1StaysLatin1() throws Exception {
        FetchRequest get = FetchRequest.get(1, URI.create("http://a.example/x"));
        byte[] written = "/caf\u00e9/\u00fc?q=\u00e9".getBytes(
                java.nio.charset.StandardCharsets.UTF_8);
        String utf8ReadAsLatin1 = new String(written, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(Redirects.follow(get, 302, utf8ReadAsLatin1).url().toString())
                .isEqualTo("http://a.example/caf%C3%A9/%C3%BC?q=%C3%A9");
        assertThat(Redirects.follow(get, 302, "/caf\u00e9").url().getRawPath())
                .isEqualTo("/caf%C3%A9");
    }

    @Test
    void aLocationThatIsNoHttpUrlIsAProtocolError() {
        assertThatThrownBy(() -> Redirects.follow(post("http://api.example/a"), 302,
                "ftp://api.example/b")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("not http or https");
        assertThatThrownBy(() -> Redirects.follow(post("http://api.example/a"), 302,
                "http://[::1/")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("bad redirect Location");
        assertThatThrownBy(() -> Redirects.follow(post("http://api.example/a"), 302,
                "http:///no-host")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("bad redirect Location");
    }

    /**
     * A Location naming what no request may have (a port out of range, an IPv4 address with a
     * leading zero) is the answer's fault, a protocol error, not an exception of the request's
     * own making that escaped the engine.
     */
    @Test
    void aLocationNoRequestMayHaveIsAProtocolError() {
        for (String location : new String[] {"http://api.example:99999/b",
                "http://0177.0.0.1/b"}) {
            assertThatThrownBy(() -> Redirects.follow(post("http://api.example/a"), 302,
                    location)).as(location).isInstanceOf(ProtocolException.class)
                    .hasMessageStartingWith("bad redirect: ").hasMessageEndingWith(": " + location);
        }
    }

    /** A redirected request is the same item: its id stays a number, by any kind of hop. */
    @Test
    void aRedirectKeepsAnIdGivenAsANumber() throws Exception {
        FetchRequest numbered = new FetchRequest(7, "7", URI.create("http://api.example/a"),
                "POST", HEADERS, null, true);
        for (int status : new int[] {307, 303}) {
            for (String to : new String[] {"/b", "http://cdn.example/b"}) {
                FetchRequest next = Redirects.follow(numbered, status, to);
                assertThat(next.id()).as(status + " " + to).isEqualTo("7");
                assertThat(next.idIsNumber()).as(status + " " + to).isTrue();
            }
        }
    }

    /**
     * A Location refused quotes it in the error with its password masked, as a record shows a
     * URL: the password in it was never used, and must not show either.
     */
    @Test
    void aLocationRefusedIsQuotedWithItsPasswordMasked() {
        assertThatThrownBy(() -> Redirects.follow(post("http://api.example/a"), 302,
                "ftp://bob:secret@files.example/f"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("redirect to a scheme that is not http or https: "
                        + "ftp://bob:xxxxx@files.example/f");
        assertThatThrownBy(() -> Redirects.follow(post("http://api.example/a"), 302,
                "http://bob:secret@"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageNotContaining("secret");
    }
}
