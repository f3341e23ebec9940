package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A journal's line read with the streaming parser means what it meant read as a tree, which
 * every resume read before: records as the run writes them, and lines written by hand, broken
 * or strange, which a resume keeps, drops or refuses as it did.
 */
class JournalLineTest {

    private static final List<String> LINES = List.of(
            "{\"seq\":1,\"id\":\"1\",\"url\":\"http://h.test/1\",\"method\":\"GET\",\"ok\":true,"
                    + "\"status\":200,\"error\":null,\"attempts\":1,\"latency_ms\":1.5}",
            "{\"seq\":2,\"ok\":false,\"status\":500,\"error\":{\"kind\":\"http\",\"message\":"
                    + "\"HTTP 500\"},\"body_file\":\"/data/bodies/2.body\"}",
            "{\"seq\":3}",
            "{ \"seq\" : 4 , \"ok\" : false }",
            "{\"ok\":false,\"seq\":5}",
            // seq as anything but a whole number in range
            "{\"seq\":4.0}", "{\"seq\":4.7}", "{\"seq\":1e3}", "{\"seq\":1e999}", "{\"seq\":-0.5}",
            "{\"seq\":\"5\"}", "{\"seq\":null}", "{\"seq\":true}", "{\"seq\":[5]}",
            "{\"seq\":{\"a\":5}}", "{\"seq\":0}", "{\"seq\":-3}", "{\"seq\":2147483647}",
            "{\"seq\":2147483648}", "{\"seq\":3000000000}",
            "{\"seq\":99999999999999999999999}", "{\"seq\":01}", "{\"seq\":NaN}",
            // fields given twice: the last counts
            "{\"seq\":1,\"seq\":2}", "{\"seq\":1,\"seq\":\"x\"}", "{\"seq\":\"x\",\"seq\":6}",
            "{\"ok\":false,\"ok\":true,\"seq\":1}", "{\"seq\":1,\"ok\":true,\"ok\":\"no\"}",
            "{\"seq\":1,\"body_file\":\"/a/1.body\",\"body_file\":null}",
            // ok as anything but a boolean
            "{\"seq\":1,\"ok\":\"false\"}", "{\"seq\":1,\"ok\":\"true\"}", "{\"seq\":1,\"ok\":0}",
            "{\"seq\":1,\"ok\":1}", "{\"seq\":1,\"ok\":null}", "{\"seq\":1,\"ok\":{}}",
            "{\"seq\":1,\"ok\":[false]}", "{\"seq\":1,\"ok\":\"FALSE\"}",
            // body_file as anything but a string
            "{\"seq\":1,\"body_file\":null}", "{\"seq\":1,\"body_file\":5}",
            "{\"seq\":1,\"body_file\":{\"x\":\"/a/1.body\"}}",
            "{\"seq\":1,\"body_file\":\"rel/1.body\"}", "{\"seq\":1,\"body_file\":\"\"}",
            // no JSON object
            "", "   ", "garbage", "{\"seq\":1", "{\"seq\":1,}", "{\"seq\":1 \"ok\":true}",
            "[1,2]", "[{\"seq\":1}]", "5", "\"str\"", "null", "// {\"seq\":1}",
            "{\"seq\":1,\"url\":\"a\tb\"}", "{'seq':1}", "{seq:1}",
            // what follows the object
            "{\"seq\":1} trailing", "{\"seq\":1}{\"seq\":2}", "{\"seq\":1}]",
            // escapes and text
            "{\"s\\u0065q\":7,\"\\u006fk\":false}",
            "{\"seq\":1,\"body\":\"caf\u00e9 \u2615 \uD83D\uDE00 \\\"q\\\" \\\\ \\n\"}",
            "{\"seq\":1,\"error\":{\"message\":\"[{\\\"seq\\\":9}]\",\"nested\":[[[{}]]]}}",
            "{\"seq\":1,\"headers\":{\"seq\":\"8\",\"ok\":\"false\"}}");

    @Test
    void everyLineMeansWhatItsTreeMeant() {
        List<byte[]> lines = new ArrayList<>();
        LINES.forEach(line -> lines.add(line.getBytes(StandardCharsets.UTF_8)));
        // Bytes that are no UTF-8, in the fields a resume reads and in those it reads through.
        lines.add(bytes("{\"seq\":1,\"url\":\"caf", 0xC3, "\"}"));
        lines.add(bytes("{\"seq\":1,\"url\":\"", 0xFF, "\"}"));
        lines.add(bytes("{\"seq\":1,\"error\":{\"message\":\"", 0xC3, 0x28, "\"}}"));
        lines.add(bytes("{\"seq\":1,\"list\":[\"", 0xE2, 0x82, "\"]}"));
        lines.add(bytes("{\"seq\":1,\"body_file\":\"/a/", 0xC3, "\"}"));
        lines.add(bytes("{\"seq\":1,\"u", 0xFF, "rl\":1}"));
        lines.add(bytes(0xEF, 0xBB, 0xBF, "{\"seq\":1}"));

        for (byte[] line : lines) {
            JournalLine streamed = JournalLine.of(line, 0, line.length);
            JournalLine asTree = JournalLine.of(JournalLine.tree(line, 0, line.length));

            assertThat(streamed).as(new String(line, StandardCharsets.UTF_8)).isEqualTo(asTree);
        }
    }

    /** A record as the run writes it, read within a block of other bytes. */
    @Test
    void aRecordIsReadWhereItStandsInItsBlock() {
        byte[] block = ("xx{\"seq\":12,\"ok\":false,\"body_file\":\"/b/12.body\"}yy")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(JournalLine.of(block, 2, block.length - 4))
                .isEqualTo(new JournalLine(12L, false, "/b/12.body"));
    }

    /** Text and bytes, in order, as one line. */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }
}
