package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** A request a library caller makes is one every engine can send, or refused at once. */
class FetchRequestTest {

    private static final URI URL = URI.create("http://127.0.0.1:1/a");

    private static FetchRequest request(String method, Map<String, String> headers) {
        return new FetchRequest(1, null, URL, method, headers, null);
    }

    @Test
    void aMethodIsKeptUpperCaseAsTheCommandLineAndJsonSpecsHaveIt() {
        assertThat(request("get", Map.of()).method()).isEqualTo("GET");
        assertThat(request("Post", Map.of()).method()).isEqualTo("POST");
        assertThat(request("M-SEARCH", Map.of()).method()).isEqualTo("M-SEARCH");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "GE T", "GET\r\nX-Injected: 1", "GET/", "GÉT"})
    void aMethodThatIsNotOneWordIsRefusedNamingIt(String method) {
        assertThatThrownBy(() -> request(method, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + method + "' is not an HTTP method");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nX-Injected: 1", "a\nb", "a\rb", "a\u0000b", "a\u0001b",
        "a\u007Fb"})
    void aHeaderValueThatWouldStartAnotherLineIsRefusedNamingTheHeader(String value) {
        assertThatThrownBy(() -> request("GET", Map.of("X-Trace", value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header \"X-Trace\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bad Name", "X-Trace:", "Tráce"})
    void aHeaderNameThatIsNotAWordIsRefused(String name) {
        assertThatThrownBy(() -> request("GET", Map.of(name, "v")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a header name: a name is one word");
    }

    /**
     * A bad name is shown only when it cannot be carrying a secret or a terminal's escape: a
     * colon in the wrong place put a token into "X-Api-Key sk-live", printed whole.
     */
    @Test
    void aBadHeaderNameIsShownOnlyWhenItIsPlainPrintableText() {
        assertThatThrownBy(() -> request("GET", Map.of("X-Trace:", "v")))
                .hasMessageStartingWith("\"X-Trace:\" is not a header name");
        // Its first word tells which of several it is, and holds no token.
        assertThatThrownBy(() -> request("GET", Map.of("X-Api-Key sk-live", "v")))
                .hasMessageStartingWith("the header's name starting \"X-Api-Key\" is not a"
                        + " header name")
                .hasMessageNotContaining("sk-live");
        assertThatThrownBy(() -> request("GET", Map.of("User Agent", "v")))
                .hasMessageStartingWith("the header's name starting \"User\"");
        assertThatThrownBy(() -> request("GET", Map.of(" X", "v")))
                .hasMessageStartingWith("the header's name is not a header name");
        // A first word as long as a token may be the token itself.
        String key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
        assertThatThrownBy(() -> request("GET", Map.of(key + " x", "v")))
                .hasMessageStartingWith("the header's name is not a header name")
                .hasMessageNotContaining(key);
        // From an exploratory test: a name with no space but a colon or an equals sign in
        // it, the token after it, was printed whole.
        assertThatThrownBy(() -> request("GET", Map.of("X-Api-Key=sk-SECRET", "v")))
                .hasMessageStartingWith("the header's name starting \"X-Api-Key\"")
                .hasMessageNotContaining("SECRET");
        assertThatThrownBy(() -> request("GET", Map.of("Authorization:Bearer-sk-1", "v")))
                .hasMessageStartingWith("the header's name starting \"Authorization\"")
                .hasMessageNotContaining("Bearer");
        assertThatThrownBy(() -> request("GET", Map.of(key + ":", "v")))
                .hasMessageStartingWith("the header's name is not a header name")
                .hasMessageNotContaining(key);
        assertThatThrownBy(() -> request("GET", Map.of("Bearer=abc\u0001", "v")))
                .hasMessageNotContaining("Bearer");
        assertThatThrownBy(() -> request("GET", Map.of("X-\u001b[31mRED", "v")))
                .hasMessageNotContaining("\u001b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length", "transfer-encoding"})
    void aHeaderThatFramesTheBodyIsLeftToTheEngines(String name) {
        assertThatThrownBy(() -> request("POST", Map.of(name, "3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header \"" + name + "\" is set from the body");
    }

    @Test
    void aValueIsKeptWithoutTheSpacesAroundItAndWithTabsInside() {
        assertThat(request("GET", Map.of("X-Pad", " \t v\tw  ")).headers())
                .containsEntry("X-Pad", "v\tw");
    }

    @Test
    void aNameGivenTwiceInAnyCaseIsRefusedNamingBoth() {
        Map<String, String> twice = new java.util.LinkedHashMap<>();
        twice.put("X-Api-Key", "a");
        twice.put("x-api-key", "b");
        assertThatThrownBy(() -> request("GET", twice))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"x-api-key\" is given twice, also as \"X-Api-Key\"");
        // A bad name given twice, its token after the '=', is not shown whole.
        assertThatThrownBy(() -> FetchRequest.builder(1, URI.create("http://h.test/"))
                .header("X-Api-Key=sk-SECRET", "a").header("x-api-key=sk-secret", "b"))
                .hasMessage("the header's name starting \"x-api-key\" is given twice");
    }

    /** Sent anyway, they failed as protocol errors in an engine's own words (an NPE's). */
    @Test
    void aUrlThatIsNotAbsoluteHttpIsRefused() {
        for (String url : new String[] {"/x", "ftp://h.test/x", "mailto:a@h.test"}) {
            assertThatThrownBy(() -> FetchRequest.get(1, java.net.URI.create(url))).as(url)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(url);
        }
        assertThatThrownBy(() -> FetchRequest.get(1, java.net.URI.create("http:///x")))
                .hasMessageContaining("no host");
        // After review: java.net.URI reads no host from a name with an underscore, and the
        // message did not say why there was none.
        assertThatThrownBy(() -> FetchRequest.get(1, java.net.URI.create(
                "http://ann@my_host.example:8080/x"))).hasMessageContaining(
                "'my_host.example' is not a host name or an IP address");
        assertThat(FetchRequest.get(1, java.net.URI.create("HTTPS://h.test/")).url())
                .hasHost("h.test");
        // After review: a host of allowed characters in a shape java.net.URI reads as none
        // was said to hold others.
        assertThatThrownBy(() -> FetchRequest.get(1, java.net.URI.create("http://127.1/x")))
                .hasMessageContaining("'127.1' is not a host name or an IP address: an IPv4"
                        + " address is four numbers")
                .hasMessageNotContaining("letters, digits");
    }

    /** After review: a port no connection can use failed late, as the item's protocol error. */
    @Test
    void aPortOutsideOneTo65535IsRefusedAsTheRequestIsMade() {
        for (String url : new String[] {"http://h.test:99999/x", "http://h.test:0/x"}) {
            assertThatThrownBy(() -> FetchRequest.get(1, java.net.URI.create(url))).as(url)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a number from 1 to 65535: " + url);
        }
        assertThat(FetchRequest.get(1, java.net.URI.create("http://h.test:65535/x")).url())
                .hasPort(65535);
    }

    /**
     * After review: 0177.0.0.1, loopback to curl and browsers (octal), went to 177.0.0.1, a
     * public address, as the JDK reads it; --deny-private let it by, as it checks the JDK's.
     * So did 0x7f000001 (hexadecimal), which the JDK looks up as a name.
     */
    @Test
    void anIpv4AddressWithALeadingZeroIsRefused() {
        for (String host : new String[] {"0177.0.0.1", "127.0.0.01", "017700000001",
                "10.00.0.1", "0x7f000001"}) {
            assertThatThrownBy(() -> FetchRequest.get(1, java.net.URI.create("http://" + host
                    + "/x"))).as(host).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("'" + host + "' is an IPv4 address with a leading"
                            + " zero");
        }
        for (String host : new String[] {"10.0.0.1", "0.0.0.0", "2130706433", "0x.test",
                "007.example"}) {
            assertThat(FetchRequest.get(1, java.net.URI.create("http://" + host + "/x"))
                    .url().getHost()).as(host).isEqualTo(host);
        }
    }

    @Test
    void anOrdinaryHeaderPasses() {
        Map<String, String> headers = Map.of("Authorization", "Bearer a.b-c_d~e+f/g=", "X-Empty",
                "");
        assertThat(request("GET", headers).headers()).isEqualTo(headers);
    }

    /** The per-host key its Javadoc promised lower case came as written (review). */
    @Test
    void theHostIsLowerCaseAsThePerHostKey() {
        assertThat(FetchRequest.get(1, java.net.URI.create("http://Api.Example.TEST:8080/x"))
                .host()).isEqualTo("api.example.test");
    }

    /**
     * A record writes an id given as a number unquoted, as it is: it must be a whole number as
     * JSON writes it, of any length, or the record would be no JSON (or another number).
     */
    @ParameterizedTest
    @ValueSource(strings = {"1.5", "1e3", "07", "+7", "- 7", "seven", ""})
    void anIdGivenAsANumberThatIsNoWholeNumberIsRefused(String id) {
        assertThatThrownBy(() -> new FetchRequest(1, id, URL, "GET", Map.of(), null, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(
                        "an id given as a number must be a whole number as JSON writes it: "
                                + id);
        assertThatThrownBy(() -> new FetchResult(1, id, null, "GET", null, null, 0, 0, 0, null,
                null, null, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIdGivenAsANumberIsKeptDigitForDigitAndAStringIdIsAString() {
        for (String id : new String[] {"7", "-0", "0", "12345678901234567890"}) {
            FetchRequest request = new FetchRequest(1, id, URL, "GET", Map.of(), null, true);
            assertThat(request.id()).isEqualTo(id);
            assertThat(request.idIsNumber()).isTrue();
        }
        assertThat(new FetchRequest(1, "7", URL, "GET", Map.of(), null).idIsNumber()).isFalse();
    }

    /**
     * No id is the seq as a string, as the constructor without the flag has it, whatever the
     * flag says: it was refused (found by exploring).
     */
    @Test
    void noIdIsTheSeqAsAStringWhateverTheFlag() {
        FetchRequest request = new FetchRequest(3, null, URL, "GET", Map.of(), null, true);
        assertThat(request.id()).isEqualTo("3");
        assertThat(request.idIsNumber()).isFalse();
        assertThat(new FetchResult(3, null, null, "GET", null, null, 0, 0, 0, null, null, null,
                true).idIsNumber()).isFalse();
    }

    @Test
    void aBuiltRequestHasThePartsItWasGivenInOrderAndIsCheckedAsTheConstructorChecks() {
        FetchRequest post = FetchRequest.builder(4, URL).id(42).method("post")
                .header("Content-Type", "application/json").header("X-Key", " k1 ")
                .body("{\"é\":1}").build();
        assertThat(post.seq()).isEqualTo(4);
        assertThat(post.id()).isEqualTo("42");
        assertThat(post.idIsNumber()).isTrue();
        assertThat(post.method()).isEqualTo("POST");
        assertThat(post.headers()).containsExactly(Map.entry("Content-Type", "application/json"),
                Map.entry("X-Key", "k1"));
        assertThat(post.body()).isEqualTo("{\"é\":1}".getBytes(StandardCharsets.UTF_8));

        FetchRequest get = FetchRequest.builder(2, URL).id("a-7").build();
        assertThat(get.method()).isEqualTo("GET");
        assertThat(get.id()).isEqualTo("a-7");
        assertThat(get.idIsNumber()).isFalse();
        assertThat(get.headers()).isEmpty();
        assertThat(get.body()).isNull();
        assertThat(FetchRequest.builder(3, URL).build().id()).isEqualTo("3");

        assertThatThrownBy(() -> FetchRequest.builder(1, URL).header("accept", "a")
                .header("Accept", "b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"Accept\" is given twice, also as \"accept\"");
        assertThatThrownBy(() -> FetchRequest.builder(0, URL).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seq < 1");
        assertThatThrownBy(() -> FetchRequest.builder(1, URL).method("GE T").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FetchRequest.builder(1, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("url");
    }

    /**
     * From the library's exploratory test: printed to a log (the Fetcher's own javadoc prints
     * failed results), a request and a result showed the URL's password and the request's
     * Authorization in clear, where the record masks the password, and a body as [B@7e91.
     */
    @Test
    void printedRequestsAndResultsKeepNoCredential() {
        URI url = URI.create("http://ann:s3cret@127.0.0.1:8080/a?q=1");
        FetchRequest request = FetchRequest.builder(4, url).method("POST")
                .header("authorization", "Bearer tok3n").header("Proxy-Authorization", "Basic p4")
                .header("Accept", "text/plain").body("{\"a\":1}").build();
        assertThat(request.toString())
                .isEqualTo("FetchRequest[seq=4, id=4, url=http://ann:xxxxx@127.0.0.1:8080/a?q=1,"
                        + " method=POST, headers={authorization=xxxxx, Proxy-Authorization=xxxxx,"
                        + " Accept=text/plain}, body=7 bytes, idIsNumber=false]")
                .doesNotContain("s3cret", "tok3n", "p4");
        assertThat(request.url().toString()).contains("ann:s3cret@");  // kept, to be sent

        FetchResult result = new FetchResult(4, "4", url.toString(), "GET", 404,
                FetchError.of(ErrorKind.HTTP, "HTTP 404"), 1, 2_000_000, 3, "event-loop",
                new byte[] {1, 2, 3}, null, false, "http://bob:pw2@127.0.0.1:8080/b");
        assertThat(result.toString())
                .contains("url=http://ann:xxxxx@127.0.0.1:8080/a?q=1", "body=3 bytes",
                        "finalUrl=http://bob:xxxxx@127.0.0.1:8080/b", "status=404")
                .doesNotContain("s3cret", "pw2");
        assertThat(result.url()).isEqualTo(url.toString());
        assertThat(new FetchResult(1, "1", null, "GET", null, null, 0, 0, 0, null, "text", null)
                .toString()).contains("url=null", "body=text", "finalUrl=null");
    }

    /**
     * Two requests of the same parts are equal, the body by its bytes, as a set or a map key
     * needs (after a review: a record compares an array by its identity).
     */
    @Test
    void requestsOfTheSameBodyAreEqualAndThoseOfAnotherAreNot() {
        FetchRequest post = FetchRequest.builder(1, URL).method("POST").body("{\"a\":1}").build();
        FetchRequest same = FetchRequest.builder(1, URL).method("POST").body("{\"a\":1}").build();
        FetchRequest other = FetchRequest.builder(1, URL).method("POST").body("{\"a\":2}").build();

        assertThat(post).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(other);
        assertThat(post).isNotEqualTo(FetchRequest.builder(2, URL).method("POST")
                .body("{\"a\":1}").build());
        assertThat(FetchRequest.get(1, URL)).isEqualTo(FetchRequest.get(1, URL))
                .isNotEqualTo(post);
    }
}
