package dev.bulkfetch.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A URL holding a character no one can see, or one that is no text (a control byte, a
 * zero-width space, a no-break space pasted from a web page), was sent percent-encoded, where a
 * space or a tab is refused: it is refused as they are, naming what it found and where.
 */
class HiddenCharactersTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void aControlCharacterIsRefusedNamingItsCodePoint() {
        assertThat(UrlListReader.problemWith("http://h.test/a\u0000b"))
                .isEqualTo("URL contains a control character U+0000 at column 16");
        assertThat(UrlListReader.problemWith("http://h.test/bell\u0007"))
                .isEqualTo("URL contains a control character U+0007 at column 19");
        assertThat(UrlListReader.problemWith("http://h.test/\u007F"))
                .isEqualTo("URL contains a control character U+007F at column 15");
        // C1 controls: what a Latin-1 file read as UTF-8 by some editor may hold.
        assertThat(UrlListReader.problemWith("http://h.test/\u0085"))
                .isEqualTo("URL contains a control character U+0085 at column 15");
        assertThat(UrlListReader.problemWith("http://h\u009B.test/"))
                .isEqualTo("URL contains a control character U+009B at column 9");
    }

    @Test
    void anInvisibleCharacterIsRefusedNamingItsCodePointAndName() {
        assertThat(UrlListReader.problemWith("http://h.test/x\u200Bz")).isEqualTo(
                "URL contains an invisible character U+200B (zero width space) at column 16");
        assertThat(UrlListReader.problemWith("http://h.test/\u200Dx")).isEqualTo(
                "URL contains an invisible character U+200D (zero width joiner) at column 15");
        assertThat(UrlListReader.problemWith("http://h.test/a\uFEFF")).isEqualTo("URL contains"
                + " an invisible character U+FEFF (zero width no-break space) at column 16");
        assertThat(UrlListReader.problemWith("http://h.test/\u202Egnp.exe")).isEqualTo(
                "URL contains an invisible character U+202E (right-to-left override) at column"
                        + " 15");
        assertThat(UrlListReader.problemWith("http://h.test/soft\u00ADhyphen")).isEqualTo(
                "URL contains an invisible character U+00AD (soft hyphen) at column 19");
        // Outside the BMP too (a tag character), one column, as an emoji is.
        assertThat(UrlListReader.problemWith("http://h.test/\uD83D\uDE00\uDB40\uDC41"))
                .isEqualTo("URL contains an invisible character U+E0041 (tag latin capital"
                        + " letter a) at column 16");
        // While letters of any script, and escapes of what is refused, pass as before.
        for (String url : List.of("http://127.0.0.1/café", "http://h.test/привет",
                "http://h.test/東京?q=検索", "http://bücher.example/", "http://h.test/\uD83D\uDE00",
                "http://h.test/%00%E2%80%8B",
                // A joiner after a letter that needs it (Persian), and in an emoji sequence.
                "http://h.test/\u0645\u06CC\u200C\u062E\u0648\u0627\u0645",
                "http://h.test/\uD83D\uDC68\u200D\uD83D\uDC69")) {
            assertThat(UrlListReader.problemWith(url)).as(url).isNull();
        }
    }

    /** The spaces that are not white space to Java: the others were refused already. */
    @Test
    void aNoBreakSpaceIsRefusedAsASpaceIs() {
        assertThat(UrlListReader.problemWith("http://h.test/\u00A0nbsp"))
                .isEqualTo("URL contains a no-break space U+00A0 at column 15");
        assertThat(UrlListReader.problemWith("http://h.test/1\u202F000"))
                .isEqualTo("URL contains a narrow no-break space U+202F at column 16");
        assertThat(UrlListReader.problemWith("http://h.test/1\u2007000"))
                .isEqualTo("URL contains a figure space U+2007 at column 16");
    }

    /**
     * The tester's list: each hidden character its line's input error, the NUL byte too, and
     * the run goes on to the good line after them, the only one the server sees.
     */
    @Test
    void aUrlListsLinesWithHiddenCharactersAreTheirInputErrorsAndTheRunGoesOn() {
        String base = server.url("/ok/");
        String list = base + "a\u0000b\n" + base + "bell\u0007\n" + base + "\u00A0nbsp\n"
                + base + "x\u200Bz\n" + base + "1\n";

        Cli.Result result = Cli.runWithInput(list.getBytes(StandardCharsets.UTF_8),
                "fetch", "-", "-q");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        int at = base.length() + 1;
        assertThat(Records.parse(result.out())).extracting(r -> r.get("seq").asLong(),
                r -> r.get("error").isNull() ? null : r.get("error").get("message").asText())
                .containsExactlyInAnyOrder(
                        tuple(1L, "line 1: URL contains a control character U+0000 at column "
                                + (at + 1)),
                        tuple(2L, "line 2: URL contains a control character U+0007 at column "
                                + (at + 4)),
                        tuple(3L, "line 3: URL contains a no-break space U+00A0 at column " + at),
                        tuple(4L, "line 4: URL contains an invisible character U+200B (zero width"
                                + " space) at column " + (at + 1)),
                        tuple(5L, null));
        assertThat(server.wireMock().getAllServeEvents()).hasSize(1);
    }

    /** A spec's url is checked as a URL list's is, raw or written as a JSON escape. */
    @Test
    void aSpecsUrlWithHiddenCharactersIsThatLinesInputError() {
        List<InputItem> items = new ArrayList<>();
        String specs = "{\"url\": \"http://h.test/a\\u0000b\"}\n"
                + "{\"url\": \"http://h.test/\u007F\"}\n"
                + "{\"url\": \"http://h.test/x\u200Bz\"}\n{\"url\": \"http://h.test/\\u00a0\"}\n"
                + "{\"url\": \"http://h.test/café\"}\n";
        new JsonLinesReader(new ByteArrayInputStream(specs.getBytes(StandardCharsets.UTF_8)),
                UrlListReader.RequestTemplate.GET).forEachRemaining(items::add);

        assertThat(items.subList(0, 4)).extracting(item -> ((InputItem.Rejected) item).problem())
                .containsExactly("\"url\": URL contains a control character U+0000 at column 25",
                        "\"url\": URL contains a control character U+007F at column 24",
                        "\"url\": URL contains an invisible character U+200B (zero width space)"
                                + " at column 25",
                        "\"url\": URL contains a no-break space U+00A0 at column 24");
        assertThat(items.get(4)).isInstanceOf(InputItem.Request.class);
    }
}
