package dev.bulkfetch.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A resume's reader passes over the lines of its kept items as bytes, parsing none of them
 * (a run of millions spent seconds of its start parsing what it skipped): the items left are
 * those the whole input has past the kept ones, line numbers, unreadable lines and all.
 */
class SkippedItemsTest {

    private static final byte[] LIST = bytes(
            "\uFEFFhttp://a.test/1\r\n",                      // 1, after a byte order mark
            "\n",                                              // 2, blank
            "# a comment\n",                                   // 3
            "http://a.test/4\n",                               // 4
            "http://a.test/" + "x".repeat(9_000) + "\n",       // 5, too long
            new byte[] {'h', 't', 't', 'p', (byte) 0xFF, '\n'},  // 6, not UTF-8
            "not a url\n",                                     // 7
            "  http://a.test/8  \r\n",                          // 8
            "http://a.test/9");                                // 9, no newline

    private static final String SPECS = "{\"url\": \"http://a.test/1\", \"method\": \"PUT\"}\n"
            + "\n{\"url\": \"http://a.test/3\"}\n{\"bad json\n{\"url\": \"http://a.test/5\"}";

    @Test
    void aUrlListsSkippedLinesLeaveTheItemsTheWholeListHasPastThem() {
        Function<byte[], InputReader> open = in -> new UrlListReader(
                new ByteArrayInputStream(in), UrlListReader.RequestTemplate.GET);
        for (Set<Long> kept : List.of(Set.of(1L, 4L, 5L, 9L), Set.of(6L, 7L, 8L),
                Set.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), Set.<Long>of(), Set.of(9L))) {
            assertThat(shown(open.apply(LIST).skipping(kept::contains))).as("%s", kept)
                    .isEqualTo(shown(open.apply(LIST)).stream()
                            .filter(item -> !kept.contains(seqOf(item))).toList());
        }
    }

    @Test
    void jsonLinesSpecsSkippedLinesLeaveTheItemsTheWholeInputHasPastThem() {
        byte[] specs = SPECS.getBytes(StandardCharsets.UTF_8);
        Function<byte[], InputReader> open = in -> new JsonLinesReader(
                new ByteArrayInputStream(in), UrlListReader.RequestTemplate.GET);
        for (Set<Long> kept : List.of(Set.of(1L), Set.of(3L, 5L), Set.of(4L))) {
            assertThat(shown(open.apply(specs).skipping(kept::contains))).as("%s", kept)
                    .isEqualTo(shown(open.apply(specs)).stream()
                            .filter(item -> !kept.contains(seqOf(item))).toList());
        }
    }

    /** The reader skipping is the reader itself: nothing wraps it to read and drop. */
    @Test
    void aLineReaderSkipsOnItsOwn() {
        InputReader reader = new UrlListReader(new ByteArrayInputStream(LIST),
                UrlListReader.RequestTemplate.GET);

        assertThat(reader.skipping(seq -> seq < 9)).isSameAs(reader);
        assertThat(shown(reader)).containsExactly("9 Request http://a.test/9");
    }

    private static List<String> shown(InputReader reader) {
        List<String> items = new ArrayList<>();
        reader.forEachRemaining(item -> items.add(item.seq() + " "
                + item.getClass().getSimpleName() + " " + describe(item)));
        return items;
    }

    private static String describe(InputItem item) {
        return item instanceof InputItem.Request r ? r.request().method().equals("GET")
                ? r.request().url().toString() : r.request().method() + " " + r.request().url()
                : item.toString();
    }

    private static long seqOf(String shown) {
        return Long.parseLong(shown.substring(0, shown.indexOf(' ')));
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            out.writeBytes(part instanceof byte[] raw ? raw
                    : ((String) part).getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
