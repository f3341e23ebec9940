package dev.bulkfetch.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec's problems name their column in the line as written, as a URL list's do: 1-based, one
 * column a character as an editor shows it (a tab is one, an emoji is one), the indent counted.
 * Its values are taken exactly as the JSON string gives them.
 */
class SpecProblemsTest {

    @TempDir
    Path dir;

    /**
     * An indented line's column counted from its first non-blank character, and an emoji
     * before the fault as two: the line as written is counted, one column a character, a tab
     * one as in a URL list.
     */
    @Test
    void aMalformedLinesColumnCountsItsIndentAndEachCharacterOnce() {
        String line = "{\"url\":\"http://h.test/1\",}";

        assertThat(problems(line, "    " + line, "\t" + line,
                "{\"id\":\"\uD83D\uDE00\",\"url\":\"http://h.test/1\",}")).containsExactly(
                "not valid JSON: a comma with no key after it, at column 26",
                "not valid JSON: a comma with no key after it, at column 30",
                "not valid JSON: a comma with no key after it, at column 27",
                "not valid JSON: a comma with no key after it, at column 35");
    }

    /** A string left open names where it begins, and text after the object where that is. */
    @Test
    void everyColumnOfAMalformedLineCountsItsIndent() {
        assertThat(problems("  {\"url\":\"http://h.test/1", "  {\"url\":\"http://h.test/1\"} x"))
                .containsExactly("not valid JSON: the line ends inside the string that begins"
                        + " at column 10", "not valid JSON: more after the object, at column 29"
                        + " (one spec a line)");
    }

    /**
     * A bad url's column is its character's in the line, "url" and its indent before it, not
     * its place in the url ("a space at column 16" of the 25th character).
     */
    @Test
    void aBadUrlNamesTheColumnOfItsCharacterInTheLine() {
        assertThat(problems("{\"url\": \"http://h.test/a b\"}",
                "\t{\"url\": \"http://h.test/a b\"}", "{\"url\": \"http://h.test/\uD83D\uDE00 b\"}",
                "{\"url\": \"http://h.test/%zz\"}"))
                .containsExactly("\"url\": URL contains a space at column 25",
                        "\"url\": URL contains a space at column 26",
                        "\"url\": URL contains a space at column 25",
                        "\"url\": not a valid URL: Malformed escape pair at column 24");
    }

    /**
     * Escapes before the fault are longer in the line than in the url: the column is still the
     * character's as written, and a character written as an escape is at its backslash.
     */
    @Test
    void aBadUrlsColumnCountsTheEscapesBeforeItAsWritten() {
        assertThat(problems("{\"url\": \"http:\\/\\/h.test\\/a b\"}",
                "{\"url\": \"http://h.test/\\u00e9\\\"x y\"}",
                "{\"url\": \"http://h.test/a\\u0020b\"}", "{\"url\": \"http://h.test/a\\tb\"}"))
                .containsExactly("\"url\": URL contains a space at column 28",
                        "\"url\": URL contains a space at column 33",
                        "\"url\": URL contains a space at column 25",
                        "\"url\": URL contains a tab at column 25");
    }

    /**
     * A JSON string is exact: a url with spaces around it was sent trimmed, where a URL list's
     * line with a space in its URL is refused. It is that line's input error, the run goes on,
     * and its record keeps the url as the line gives it.
     */
    @Test
    void aUrlWithSpacesAroundItIsThatLinesInputErrorAndTheRunGoesOn() {
        try (TestServer server = new TestServer()) {
            String specs = "{\"url\": \" " + server.url("/ok/1") + "\"}\n{\"url\": \""
                    + server.url("/ok/2") + "\"}\n{\"url\": \"" + server.url("/ok/3") + "\\n\"}\n";
            Path file = TestServer.write(dir.resolve("spaced.jsonl"), specs);

            Cli.Result result = Cli.run("fetch", file.toString(), "-q");

            assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
            Map<Long, JsonNode> bySeq = new LinkedHashMap<>();
            Records.parse(result.out()).forEach(r -> bySeq.put(r.get("seq").asLong(), r));
            assertThat(bySeq.get(1L).get("error").get("kind").asText()).isEqualTo("input");
            assertThat(bySeq.get(1L).get("error").get("message").asText())
                    .isEqualTo("line 1: \"url\": URL contains a space at column 10");
            assertThat(bySeq.get(1L).get("url").asText()).isEqualTo(" " + server.url("/ok/1"));
            assertThat(bySeq.get(2L).get("ok").asBoolean()).isTrue();
            int end = ("{\"url\": \"" + server.url("/ok/3")).length() + 1;
            assertThat(bySeq.get(3L).get("error").get("message").asText()).isEqualTo("line 3:"
                    + " \"url\": URL contains white space (U+000A) at column " + end);
            assertThat(server.wireMock().getAllServeEvents()).hasSize(1);
        }
    }

    /**
     * "A string body is sent as it is": a lone surrogate, which JSON can escape but UTF-8
     * cannot hold, went as '?' (as U+FFFD in a URL), the record ok. An id with one was taken,
     * its record's id an escape no character has. A pair is a character.
     */
    @Test
    void aLoneSurrogateInABodyHeaderUrlOrIdIsThatLinesInputError() {
        String url = "\"url\":\"http://127.0.0.1:9/x\"";
        Map<String, String> problems = Map.of(
                "{" + url + ",\"body\":\"a\\ud800b\"}", "\"body\" has a lone UTF-16 surrogate"
                        + " (\\ud800), which has no UTF-8 form",
                "{" + url + ",\"headers\":{\"X-A\":\"v\\udc00\"}}", "header \"X-A\" has a"
                        + " lone UTF-16 surrogate (\\udc00) in its value, which has no UTF-8"
                        + " form",
                "{\"url\":\"http://127.0.0.1:9/x\\ud800\"}", "\"url\" has a lone UTF-16"
                        + " surrogate (\\ud800), which has no UTF-8 form",
                "{\"id\":\"a\\ud800\"," + url + "}", "\"id\" has a lone UTF-16 surrogate"
                        + " (\\ud800), which has no UTF-8 form");
        problems.forEach((line, problem) -> assertThat(problems(line)).as(line)
                .containsExactly(problem));
        // After review: the rejected line's record kept that id, an escape of no character,
        // read back as another id; it keeps none (its seq names the line), for any problem.
        assertThat(read("{\"id\":\"a\\ud800\"," + url + "}\n"
                + "{\"id\":\"b\\udc00\",\"url\":\"http://127.0.0.1:9/a b\"}\n"
                + "{\"id\":\"c\\ud800\",\"url\":\"http://127.0.0.1:9/\",}\n"
                + "{\"id\":\"kept\",\"url\":\"http://127.0.0.1:9/a b\"}"))
                .map(item -> ((InputItem.Rejected) item).id())
                .containsExactly(null, null, null, "kept");
        List<InputItem> pair = read("{\"id\":\"\\ud83d\\ude00\"," + url
                + ",\"body\":\"\\ud83d\\ude00\"}");
        assertThat(pair).singleElement().isInstanceOfSatisfying(InputItem.Request.class, r -> {
            assertThat(r.request().id()).isEqualTo("\uD83D\uDE00");
            assertThat(r.request().body())
                    .isEqualTo("\uD83D\uDE00".getBytes(StandardCharsets.UTF_8));
        });
    }

    /**
     * From an exploratory test: a spec's bad header name, a token after its '=', was quoted
     * whole, in the problem with the name itself and in those checked before it (a value no
     * string, or with a lone surrogate). It is shown as a bad name is.
     */
    @Test
    void aBadHeaderNameHoldingATokenIsNotQuotedWhole() {
        String url = "\"url\":\"http://127.0.0.1:9/x\"";
        assertThat(problems("{" + url + ",\"headers\":{\"X-Api-Key=sk-SECRET\":\"a\\ud800\"}}",
                "{" + url + ",\"headers\":{\"X-Api-Key=sk-SECRET\":7}}",
                "{" + url + ",\"headers\":{\"X-Api-Key=sk-SECRET\":\"a\"}}"))
                .containsExactly("the header's name starting \"X-Api-Key\" has a lone UTF-16"
                                + " surrogate (\\ud800) in its value, which has no UTF-8 form",
                        "the header's name starting \"X-Api-Key\" must be a string",
                        "the header's name starting \"X-Api-Key\" is not a header name: a name"
                                + " is one word, such as X-Api-Key");
    }

    /**
     * From an exploratory test: a rejected spec's record kept its url and method as given, a
     * lone surrogate included, which JSON writes as an escape of no character (jq stops there,
     * and every record after it was lost to it); its problem quoted the method too. The record
     * shows U+FFFD in its place.
     */
    @Test
    void aRejectedSpecsUrlMethodAndProblemShowNoLoneSurrogate() {
        List<InputItem> items = read("{\"url\":\"http://127.0.0.1:9/a\\ud800\"}\n"
                + "{\"url\":\"http://127.0.0.1:9/x\",\"method\":\"G\\ud800\"}");

        assertThat(items).hasSize(2).allMatch(InputItem.Rejected.class::isInstance);
        InputItem.Rejected url = (InputItem.Rejected) items.get(0);
        InputItem.Rejected method = (InputItem.Rejected) items.get(1);
        assertThat(url.url()).isEqualTo("http://127.0.0.1:9/a\uFFFD");
        assertThat(method.method()).isEqualTo("G\uFFFD");
        assertThat(method.problem()).contains("G\uFFFD");
        for (InputItem.Rejected rejected : List.of(url, method)) {
            assertThat(Shown.loneSurrogate(rejected.url() + rejected.method()
                    + rejected.problem(), 0)).as(rejected.problem()).isNegative();
        }
    }

    /**
     * An id is a string or a whole number: a fraction or an exponent (1.5e3 would be written
     * as 1500.0, not as given), true or false, an object or an array is that line's input
     * error, saying which of them it is; its record keeps no id (its seq names the line).
     */
    @Test
    void anIdThatIsNoStringOrWholeNumberIsThatLinesInputErrorSayingWhatItIs() {
        String url = ",\"url\":\"http://127.0.0.1:9/x\"}";
        String must = "\"id\" must be a string or a whole number, not ";
        assertThat(problems("{\"id\":1.5" + url, "{\"id\":1e3" + url, "{\"id\":7.0" + url,
                "{\"id\":true" + url, "{\"id\":{\"n\":7}" + url, "{\"id\":[7]" + url))
                .containsExactly(must + "a number with a fraction or an exponent",
                        must + "a number with a fraction or an exponent",
                        must + "a number with a fraction or an exponent",
                        must + "true or false", must + "an object", must + "an array");
        Path file = TestServer.write(dir.resolve("ids.jsonl"), "\n{\"id\":1.5" + url + "\n");

        Cli.Result result = Cli.run("fetch", file.toString(), "-q");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(Records.parse(result.out())).singleElement().satisfies(r -> {
            assertThat(r.get("error").get("message").asText()).isEqualTo("line 2: " + must
                    + "a number with a fraction or an exponent");
            assertThat(r.get("id")).isEqualTo(Records.json("\"2\""));
        });
    }

    /**
     * A line that is no JSON where a number runs into other characters keeps no id of the
     * part that reads as a number: {@code 0x10} was kept as the id 0 and {@code 12abc} as 12
     * (found by exploring), where JSON has no such number. A number that ends where JSON lets
     * it, the line broken after it (a comma missing), is kept as the line gives it.
     */
    @Test
    void aNumberRunningIntoOtherCharactersIsNoId() {
        String url = "\"url\":\"http://127.0.0.1:9/x\"}";
        List<InputItem> items = read("{\"id\":0x10," + url + "\n{\"id\":12abc," + url
                + "\n{\"id\": 12 " + url);

        assertThat(items).hasSize(3).allMatch(InputItem.Rejected.class::isInstance);
        assertThat(items).map(item -> (InputItem.Rejected) item)
                .extracting(InputItem.Rejected::id, InputItem.Rejected::idIsNumber)
                .containsExactly(tuple(null, false), tuple(null, false), tuple("12", true));
    }

    /** Each line's problem, one a line, each line rejected. */
    private static List<String> problems(String... lines) {
        List<InputItem> items = read(String.join("\n", lines));
        assertThat(items).hasSize(lines.length).allMatch(InputItem.Rejected.class::isInstance);
        return items.stream().map(item -> ((InputItem.Rejected) item).problem()).toList();
    }

    private static List<InputItem> read(String specs) {
        List<InputItem> items = new ArrayList<>();
        new JsonLinesReader(new ByteArrayInputStream((specs + "\n").getBytes(
                StandardCharsets.UTF_8)), UrlListReader.RequestTemplate.GET)
                .forEachRemaining(items::add);
        return items;
    }
}
