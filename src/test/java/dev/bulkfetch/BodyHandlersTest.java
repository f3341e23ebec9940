package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The stock handlers, fed the way engines feed them: chunks cut anywhere. */
class BodyHandlersTest {

    record Item(String name, List<Integer> sizes) {
    }

    private static BodyHandler.ResponseInfo response(int status, String contentType) {
        return new BodyHandler.ResponseInfo() {
            @Override
            public int status() {
                return status;
            }

            @Override
            public Optional<String> header(String name) {
                return name.equalsIgnoreCase("Content-Type") ? Optional.ofNullable(contentType)
                        : Optional.empty();
            }
        };
    }

    /**
     * Feeds {@code body} in chunks of {@code size} bytes, each a fresh buffer then scribbled on.
     */
    private static <T> T feed(BodyHandler<T> handler, BodyHandler.ResponseInfo response,
                              byte[] body, int size) throws Exception {
        BodyHandler.Sink<T> sink = handler.open(response);
        for (int at = 0; at < body.length; at += size) {
            byte[] chunk = java.util.Arrays.copyOfRange(body, at, Math.min(body.length, at + size));
            sink.accept(ByteBuffer.wrap(chunk));
            java.util.Arrays.fill(chunk, (byte) '#');  // the sink must have copied what it keeps
        }
        return sink.finish();
    }

    @Test
    void textDecodesCharactersSplitAcrossChunks() throws Exception {
        String text = "naïve café — 東京 🚀".repeat(20);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        for (int size : new int[] {1, 2, 3, 7, 64, utf8.length}) {
            assertThat(feed(BodyHandlers.text(), response(200, "text/plain"), utf8, size))
                    .as("chunks of %d", size).isEqualTo(text);
        }
    }

    @Test
    void textUsesTheCharsetTheContentTypeNames() throws Exception {
        byte[] latin1 = "café".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(feed(BodyHandlers.text(), response(200, "text/html; charset=\"ISO-8859-1\""),
                latin1, 2)).isEqualTo("café");
        assertThat(feed(BodyHandlers.text(), response(200, "text/html; charset=no-such"),
                "ok".getBytes(StandardCharsets.UTF_8), 1)).isEqualTo("ok");
    }

    @Test
    void bytesKeepsEveryByteOfAnyStatus() throws Exception {
        byte[] body = new byte[5000];
        new java.util.Random(7).nextBytes(body);
        assertThat(feed(BodyHandlers.bytes(), response(500, null), body, 333)).isEqualTo(body);
    }

    @Test
    void jsonParsesAsTheChunksArriveWhereverTheyAreCut() throws Exception {
        byte[] json = ("{\"name\":\"wid\\u00e9get\",\"sizes\":[1,22,333],"
                + "\"extra\":{\"a\":[true,null]}}")
                .getBytes(StandardCharsets.UTF_8);
        com.fasterxml.jackson.databind.ObjectMapper lenient =
                new com.fasterxml.jackson.databind.ObjectMapper().configure(
                        com.fasterxml.jackson.databind.DeserializationFeature
                                .FAIL_ON_UNKNOWN_PROPERTIES, false);
        for (int size = 1; size <= json.length; size++) {
            Item item = feed(BodyHandlers.json(lenient, Item.class), response(200, null), json,
                    size);
            assertThat(item).as("chunks of %d", size)
                    .isEqualTo(new Item("widéget", List.of(1, 22, 333)));
        }
        JsonNode tree = feed(BodyHandlers.json(), response(200, null), json, 5);
        assertThat(tree.at("/extra/a/0").asBoolean()).isTrue();
    }

    @Test
    void jsonThatDoesNotParseThrowsAndAnEmptyBodyIsNull() throws Exception {
        assertThatThrownBy(() -> feed(BodyHandlers.json(Map.class), response(200, null),
                "{\"a\": [1, 2".getBytes(StandardCharsets.UTF_8), 4))
                .hasMessageContaining("end-of-input");
        assertThatThrownBy(() -> feed(BodyHandlers.json(Map.class), response(200, null),
                "<html>".getBytes(StandardCharsets.UTF_8), 4))
                .hasMessageContaining("Unexpected character");
        assertThat(feed(BodyHandlers.json(Map.class), response(204, null), new byte[0], 1))
                .isNull();
    }

    /**
     * White space alone is no JSON document, so no empty body either: it was read as one,
     * {@code null}, and the item was ok.
     */
    @Test
    void jsonOfWhiteSpaceAloneThrowsAsItHoldsNoValue() {
        byte[] blank = " \r\n\t \n".getBytes(StandardCharsets.UTF_8);
        for (int size : new int[] {1, 4, blank.length}) {
            assertThatThrownBy(() -> feed(BodyHandlers.json(Map.class), response(200, null),
                    blank, size)).hasMessageContaining("only white space");
            assertThatThrownBy(() -> feed(BodyHandlers.json(), response(200, null),
                    blank, size)).hasMessageContaining("only white space");
        }
    }

    /** Two values, as NDJSON has them, bound the first and dropped the second unsaid. */
    @Test
    void jsonWithASecondValueAfterTheFirstThrows() {
        byte[] twoValues = "{\"a\":1}\n{\"a\":2}\n".getBytes(StandardCharsets.UTF_8);
        for (int size : new int[] {1, 3, twoValues.length}) {
            assertThatThrownBy(() -> feed(BodyHandlers.json(Map.class), response(200, null),
                    twoValues, size)).hasMessageContaining("Trailing token");
            assertThatThrownBy(() -> feed(BodyHandlers.json(), response(200, null),
                    twoValues, size)).hasMessageContaining("Trailing token");
        }
    }

    @Test
    void jsonKeepsNothingOfANon2xxAndDiscardingKeepsNothingAtAll() {
        assertThat(BodyHandlers.json().open(response(404, "text/html"))).isNull();
        assertThat(BodyHandlers.discarding().open(response(200, null))).isNull();
    }
}
