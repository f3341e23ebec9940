package dev.bulkfetch.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class UrlsTest {

    @Test
    void anInternationalisedHostBecomesPunycodeAndTheRestIsPercentEncoded() {
        assertThat(Urls.toAscii("http://user@b\u00fccher.example:8080/caf\u00e9?q=\u00e9#\u00e9"))
                .isEqualTo("http://user@xn--bcher-kva.example:8080/caf%C3%A9?q=%C3%A9#%C3%A9");
        assertThat(URI.create(Urls.toAscii("https://B\u00dcCHER.example/")).getHost())
                .isEqualTo("xn--bcher-kva.example");
    }

    @Test
    void charactersAUrlMayNotHoldAreEncodedAndWhatIsValidIsLeftAlone() {
        assertThat(Urls.toAscii("http://a.example/x?fields=a|b&v={1}^\"<>`"))
                .isEqualTo("http://a.example/x?fields=a%7Cb&v=%7B1%7D%5E%22%3C%3E%60");
        String valid = "http://a.example:81/p%20q/r;s?t=%7C&u=v#w";
        assertThat(Urls.toAscii(valid)).isSameAs(valid);
        assertThat(Urls.toAscii("http://[::1]:8080/\u00e9")).isEqualTo("http://[::1]:8080/%C3%A9");
        // Brackets frame an IPv6 host only: a path's were refused where a query's went.
        assertThat(Urls.toAscii("http://[::1]:8080/sq[1]?filter[status]=x#f[2]"))
                .isEqualTo("http://[::1]:8080/sq%5B1%5D?filter%5Bstatus%5D=x#f%5B2%5D");
        assertThat(Urls.toAscii("http://[::1]:8080/a")).isEqualTo("http://[::1]:8080/a");
        assertThat(Urls.toAscii("/rel/\ud83d\ude00 x")).isEqualTo("/rel/%F0%9F%98%80%20x");
        assertThat(Urls.toAscii("caf\u00e9/x?next=http://b\u00fccher.example/"))
                .as("a relative reference with a URL in its query has no host to convert")
                .isEqualTo("caf%C3%A9/x?next=http://b%C3%BCcher.example/");
        assertThat(Urls.toAscii("//b\u00fccher.example/x")).isEqualTo("//xn--bcher-kva.example/x");
    }

    @Test
    void anAsciiUriIsKeptAsItIs() {
        URI ascii = URI.create("http://a.example/p%C3%A9");
        assertThat(Urls.toAscii(ascii)).isSameAs(ascii);
        assertThat(Urls.toAscii(URI.create("http://a.example/p\u00e9")))
                .isEqualTo(URI.create("http://a.example/p%C3%A9"));
    }

    /**
     * Nothing may move a URL to another host: the authority is converted only where its host
     * (or user name) is not ASCII, a backslash is never encoded (browsers read it as a slash),
     * and a host that IDNA maps to delimiters, or where browsers would pick another domain, is
     * left as written, so the URL has no usable host and is refused.
     */
    @Test
    void noUrlIsMovedToAnotherHost() {
        for (String tricky : new String[] {"http://evil.example\uff0f.good.example/",
                "http://a\uff20evil.example/", "http://good.example\uff1a8080/",
                "http://stra\u00dfe.example/", "http://a.example|@evil.example/"}) {
            assertThat(hostOf(Urls.toAscii(tricky))).as(tricky).isNull();
        }
        assertThatThrownBy(() -> new URI(Urls.toAscii("http://a.example\\@evil.example/")))
                .isInstanceOf(java.net.URISyntaxException.class);
        assertThat(Urls.toAscii("http://\u00fcser:p\u00e4ss@b\u00fccher.example:81/"))
                .isEqualTo("http://%C3%BCser:p%C3%A4ss@xn--bcher-kva.example:81/");
    }

    @Test
    void aLoneHalfOfASurrogatePairIsTheReplacementCharacterAndTakesNothingWithIt() {
        assertThat(Urls.toAscii("http://a.example/x\ud800/y%41"))
                .isEqualTo("http://a.example/x%EF%BF%BD/y%41");
        assertThat(Urls.toAscii("http://a.example/x\ud800"))
                .isEqualTo("http://a.example/x%EF%BF%BD");
    }

    /** FetchRequest's constructor relies on this never throwing for a URI that parsed. */
    @Test
    void aHostThatIsNoInternationalNameIsKeptAsWrittenAndNothingThrows() {
        URI odd = URI.create("http://a\uff05zz.example/caf\u00e9");
        assertThat(Urls.toAscii(odd))
                .isEqualTo(URI.create("http://a\uff05zz.example/caf%C3%A9"));
        assertThat(Urls.toAscii(odd).getHost()).isNull();
    }

    private static String hostOf(String url) {
        try {
            return new URI(url).getHost();
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }
}
