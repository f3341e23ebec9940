package dev.bulkfetch.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UrlListReaderTest {

    private static List<InputItem> readAll(String text) {
        return readAll(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<InputItem> readAll(InputStream in) {
        List<InputItem> items = new ArrayList<>();
        new UrlListReader(in, UrlListReader.RequestTemplate.GET).forEachRemaining(items::add);
        return items;
    }

    @Test
    void commentsAndBlankLinesAreSkippedButCountedSoSeqIsTheLineNumber() {
        List<InputItem> items = readAll("# header\n\nhttp://a.test/1\r\n   \nhttps://b.test/2\n"
                + "  # indented comment\nhttp://c.test/3");
        assertThat(items).extracting(InputItem::seq).containsExactly(3L, 5L, 7L);
        assertThat(items).allMatch(item -> item instanceof InputItem.Request);
        InputItem.Request first = (InputItem.Request) items.getFirst();
        assertThat(first.request().url().toString()).isEqualTo("http://a.test/1");
        assertThat(first.request().id()).isEqualTo("3");
        assertThat(first.request().method()).isEqualTo("GET");
    }

    /** A list saved by a Windows editor: a byte order mark first, CRLF line ends. */
    @Test
    void aByteOrderMarkBeforeTheFirstLineIsNotPartOfItsUrl() {
        List<InputItem> items = readAll("\uFEFFhttp://a.test/1\r\nhttp://b.test/2\r\n");
        assertThat(items).allMatch(item -> item instanceof InputItem.Request);
        assertThat(items).extracting(item -> ((InputItem.Request) item).request().url()
                .toString()).containsExactly("http://a.test/1", "http://b.test/2");
    }

    /**
     * A list saved as UTF-16 (Notepad's "Unicode", PowerShell 5's Out-File) or UTF-32 was read
     * as UTF-8: its first line "not valid UTF-8", every other line garbage (a NUL between
     * every two characters). The input is refused as a whole, before its first item, naming
     * the encoding and how to convert it; the mark may come a byte at a time, as from a pipe.
     */
    @Test
    void anInputInUtf16OrUtf32IsRefusedAsAWholeSayingHowToConvertIt() {
        String list = "\uFEFFhttp://a.test/1\nhttp://b.test/2\n";
        String[][] encodings = {{"UTF-16LE", "UTF-16", "FF FE"}, {"UTF-16BE", "UTF-16", "FE FF"},
            {"UTF-32LE", "UTF-32", "FF FE 00 00"}, {"UTF-32BE", "UTF-32", "00 00 FE FF"}};
        for (String[] encoding : encodings) {
            byte[] bytes = list.getBytes(java.nio.charset.Charset.forName(encoding[0]));
            for (InputStream in : List.of(new ByteArrayInputStream(bytes),
                    new OneByteAtATime(bytes))) {
                UrlListReader reader = new UrlListReader(in, UrlListReader.RequestTemplate.GET);
                org.assertj.core.api.Assertions.assertThatThrownBy(reader::hasNext)
                        .as(encoding[0]).isInstanceOf(java.io.UncheckedIOException.class)
                        .hasCauseInstanceOf(InputUnavailableException.class)
                        .hasMessageContaining(" is " + encoding[1] + " (")
                        .hasMessageContaining("byte order mark " + encoding[2])
                        .hasMessageContaining("iconv -f " + encoding[1] + " -t UTF-8");
            }
        }
    }

    /** Short inputs that begin as a byte order mark might, but are none, are read as lines. */
    @Test
    void anInputShorterThanAByteOrderMarkIsReadAsItIs() {
        assertThat(readAll("")).isEmpty();
        assertThat(readAll("\n")).isEmpty();
        assertThat(readAll(new ByteArrayInputStream(new byte[] {(byte) 0xFF})))
                .singleElement().isInstanceOfSatisfying(InputItem.Rejected.class,
                        r -> assertThat(r.problem()).contains("not valid UTF-8"));
    }

    /**
     * Stdin is looked at by its first bytes before a run empties its output file (a UTF-16 one
     * is refused), and read after: the bytes looked at come first, none lost, however short
     * the input and however slowly it comes.
     */
    @Test
    void stdinCheckedBeforeTheRunGivesBackEveryByteItLookedAt() throws Exception {
        for (String text : List.of("", "\n", "#\n", "\uFEFFh", "http://a.test/1\n#\n"
                + "http://b.test/2")) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            for (InputStream stdin : List.of(new ByteArrayInputStream(bytes),
                    new OneByteAtATime(bytes))) {
                assertThat(InputReader.checkStdin(stdin).readAllBytes()).as(text)
                        .isEqualTo(bytes);
            }
            assertThat(readAll(InputReader.checkStdin(new OneByteAtATime(bytes))))
                    .as(text).usingRecursiveFieldByFieldElementComparator()
                    .isEqualTo(readAll(text));
        }
        byte[] utf16 = "\uFEFFhttp://a.test/1\n".getBytes(StandardCharsets.UTF_16BE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputReader.checkStdin(
                        new OneByteAtATime(utf16))).isInstanceOf(InputUnavailableException.class)
                .hasMessageStartingWith("stdin is UTF-16 (big-endian");
    }

    /**
     * A pipe that sends a short first line and falls quiet is not waited on past the byte
     * that rules a mark out: reading four bytes sat on "#\n" until the producer's next line,
     * before the run had opened its output. Every mark is still told, a byte at a time.
     */
    @Test
    void stdinsCheckReadsNoFurtherThanAMarkCouldGo() throws Exception {
        for (String text : List.of("#\n", "h", "\n")) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            InputStream quietAfter = new OneByteAtATime(bytes) {
                @Override
                public int read() {
                    int next = super.read();
                    if (next < 0) {
                        throw new AssertionError("read past " + text.strip() + ", where a "
                                + "pipe would wait for its producer");
                    }
                    return next;
                }
            };
            InputStream checked = InputReader.checkStdin(quietAfter);
            assertThat(checked.read()).as(text).isEqualTo(bytes[0] & 0xFF);
        }
        InputStream endsOnce = new OneByteAtATime(new byte[0]) {
            private boolean ended;

            @Override
            public int read() {
                assertThat(ended).as("read again past its end: on a terminal, a second Ctrl-D")
                        .isFalse();
                ended = true;
                return -1;
            }
        };
        assertThat(InputReader.checkStdin(endsOnce).readAllBytes()).isEmpty();
        for (var mark : java.util.Map.of("UTF-16 (little-endian", new int[] {0xFF, 0xFE, 'h', 0},
                "UTF-32 (little-endian", new int[] {0xFF, 0xFE, 0, 0},
                "UTF-32 (big-endian", new int[] {0, 0, 0xFE, 0xFF}).entrySet()) {
            byte[] head = new byte[mark.getValue().length];
            for (int i = 0; i < head.length; i++) {
                head[i] = (byte) mark.getValue()[i];
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputReader.checkStdin(
                            new OneByteAtATime(head)))
                    .isInstanceOf(InputUnavailableException.class)
                    .hasMessageStartingWith("stdin is " + mark.getKey());
        }
    }

    /** A stream that hands out one byte a read, as a slow pipe may. */
    private static class OneByteAtATime extends InputStream {
        private final byte[] bytes;
        private int pos;

        OneByteAtATime(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] into, int off, int len) {
            if (len == 0) {
                return 0;
            }
            int b = read();
            if (b < 0) {
                return -1;
            }
            into[off] = (byte) b;
            return 1;
        }
    }

    /** What browsers and curl send is accepted, as the ASCII that goes on the wire. */
    @Test
    void urlsWithUtf8AnInternationalHostOrAPipeAreReadAsTheirAsciiForm() {
        List<InputItem> items = readAll("http://b\u00fccher.test/caf\u00e9?q=\u00e9\n"
                + "http://a.test/x?fields=id|name\n");
        assertThat(items).allMatch(item -> item instanceof InputItem.Request);
        assertThat(items).extracting(item -> ((InputItem.Request) item).request().url()
                .toString()).containsExactly("http://xn--bcher-kva.test/caf%C3%A9?q=%C3%A9",
                "http://a.test/x?fields=id%7Cname");
        assertThat(((InputItem.Request) items.getFirst()).request().host())
                .isEqualTo("xn--bcher-kva.test");
    }

    /**
     * From a backfill: a host and port without a scheme read as a scheme of its own
     * ("scheme 'localhost' is not supported") or as a bad one ("Illegal character in scheme
     * name at column 1", for an IP address), where example.com/x said there was no scheme.
     */
    @Test
    void aHostAndPortWithoutASchemeIsSaidToHaveNoneWithTheUrlToWriteInstead() {
        String needed = "URL has no scheme: an absolute http:// or https:// URL is needed";
        assertThat(UrlListReader.problemWith("127.0.0.1:18003/x"))
                .isEqualTo(needed + ", such as http://127.0.0.1:18003/...");
        assertThat(UrlListReader.problemWith("localhost:18003/x?a=1"))
                .isEqualTo(needed + ", such as http://localhost:18003/...");
        assertThat(UrlListReader.problemWith("api.example.com:8443"))
                .isEqualTo(needed + ", such as https://api.example.com:8443");
        assertThat(UrlListReader.problemWith("example.com:443/x"))
                .isEqualTo(needed + ", such as https://example.com:443/...");
        assertThat(UrlListReader.problemWith("example.com:4430/x"))
                .isEqualTo(needed + ", such as http://example.com:4430/...");
        assertThat(UrlListReader.problemWith("[::1]:8080/x"))
                .isEqualTo(needed + ", such as http://[::1]:8080/...");
        assertThat(UrlListReader.problemWith("example.com/x")).isEqualTo(needed);
        // A scheme of its own stays one; so does http without its slashes.
        assertThat(UrlListReader.problemWith("mailto:ann@example.com"))
                .contains("scheme 'mailto' is not supported");
        assertThat(UrlListReader.problemWith("http:8080/x")).isEqualTo("URL has no host");
    }

    /** An indented line's column is counted in the line as written, its indent too. */
    @Test
    void anIndentedLinesColumnCountsItsIndent() {
        List<InputItem> items = readAll("http://a.test/a b\n    http://a.test/a b\n"
                + "\thttp://a.test/a b\n");

        assertThat(items).extracting(item -> ((InputItem.Rejected) item).problem())
                .containsExactly("URL contains a space at column 16",
                        "URL contains a space at column 20",
                        "URL contains a space at column 17");
    }

    /** A column is a character as an editor shows it: an emoji (two UTF-16 units) is one. */
    @Test
    void aCharacterOutsideTheBmpIsOneColumn() {
        assertThat(UrlListReader.problemWith("http://a.test/\uD83D\uDE00 b"))
                .isEqualTo("URL contains a space at column 16");
    }

    @Test
    void eachKindOfBadLineIsRejectedWithItsReason() {
        assertThat(UrlListReader.problemWith("example.com/x")).contains("no scheme");
        assertThat(UrlListReader.problemWith("ftp://h/x")).contains("'ftp' is not supported");
        assertThat(UrlListReader.problemWith("file:///etc/passwd")).contains("'file'");
        assertThat(UrlListReader.problemWith("http://h/a b")).contains("space at column 11");
        // A tab or a carriage return was "a space" too.
        assertThat(UrlListReader.problemWith("http://h/a\tb")).contains("a tab at column 11");
        assertThat(UrlListReader.problemWith("http://h/a\rb"))
                .contains("white space (U+000D) at column 11");
        assertThat(UrlListReader.problemWith("http://h/sq[1]")).isNull();
        assertThat(UrlListReader.problemWith("http://")).isNotNull();
        assertThat(UrlListReader.problemWith("http:///path")).contains("no host");
        assertThat(UrlListReader.problemWith("http://h/%zz")).contains("not a valid URL");
        assertThat(UrlListReader.problemWith("HTTPS://h.test/ok?q=1#f")).isNull();
        // A port out of range was sent, and failed as a protocol error, or read as "no host".
        assertThat(UrlListReader.problemWith("http://127.0.0.1:70000/"))
                .isEqualTo("port 70000 is not a number from 1 to 65535");
        assertThat(UrlListReader.problemWith("http://h.test:0/")).contains("port 0");
        assertThat(UrlListReader.problemWith("http://h.test:99999999999/"))
                .contains("port '99999999999'");
        assertThat(UrlListReader.problemWith("http://h.test:8x/")).contains("port '8x'");
        assertThat(UrlListReader.problemWith("http://under_score.test/"))
                .contains("'under_score.test' is not a host name")
                .endsWith("letters, digits, '-' and '.' only");
        // Allowed characters in a shape that is no host: the reason is the shape.
        assertThat(UrlListReader.problemWith("http://foo.123/"))
                .startsWith("'foo.123' is not a host name or an IP address: an IPv4 address");
        assertThat(UrlListReader.problemWith("http://:80/")).isEqualTo("URL has no host");
        for (String bare : new String[] {"http://", "HTTPS://", "http://?a=1", "http://#top"}) {
            assertThat(UrlListReader.problemWith(bare)).as(bare).isEqualTo("URL has no host");
        }
        assertThat(UrlListReader.problemWith("http://under_score.test:/"))
                .contains("'under_score.test' is not a host name");
        assertThat(UrlListReader.problemWith("http://h.test:65535/")).isNull();
        // Loopback to curl (octal), 177.0.0.1 to the JDK: neither is guessed.
        assertThat(UrlListReader.problemWith("http://0177.0.0.1:8080/"))
                .startsWith("'0177.0.0.1' is an IPv4 address with a leading zero");
        assertThat(UrlListReader.problemWith("http://10.0.0.1/")).isNull();
        assertThat(UrlListReader.problemWith("http://[::1]:8080/")).isNull();
    }

    /**
     * Request specs read as URLs (stdin, a name auto does not know) each say what to do; the
     * record's url held the line, its Authorization header too. Only a spec's "url" is kept.
     */
    @Test
    void aJsonLineInAUrlListIsRejectedWithAHintAndWithoutItsText() {
        String auth = ",\"headers\":{\"Authorization\":\"Bearer SECRET\"}";
        List<InputItem> items = readAll("{\"url\":\"http://h.test/1\"" + auth + "}\n"
                + "{\"url\": 1" + auth + "}\n  {\"url\":\"http://h.test/3\"" + auth + ",\n"
                + "{\"body\":\"" + "a".repeat(9000) + "\"" + auth + "}\nh.test/{x}\n");
        assertThat(items).hasSize(5).allSatisfy(item -> assertThat(item)
                .isInstanceOf(InputItem.Rejected.class));
        List<InputItem.Rejected> rejected = items.stream()
                .map(item -> (InputItem.Rejected) item).toList();
        assertThat(rejected).extracting(InputItem.Rejected::url).containsExactly(
                "http://h.test/1", null, "http://h.test/3", null, "h.test/{x}");
        assertThat(rejected.subList(0, 4)).allSatisfy(r -> assertThat(r.problem())
                .contains("a JSON Lines request spec? --input-format jsonl reads them")
                .doesNotContain("SECRET").doesNotContain("column"));
        assertThat(rejected.get(3).problem()).startsWith("line is longer than 8192 bytes");
        assertThat(rejected.get(4).problem()).doesNotContain("JSON");
    }

    /**
     * After review: a line of exactly 8192 bytes was refused when it ended in CRLF, as 8193
     * bytes: the \r, no part of the line, was counted against the limit.
     */
    @Test
    void aLineOfTheLongestLengthIsReadWithACrlfEndingToo() {
        String longest = "http://h.test/?q=" + "a".repeat(8192 - 17);
        assertThat(longest).hasSize(8192);
        for (String ending : List.of("\n", "\r\n")) {
            List<InputItem> items = readAll(longest + ending + longest + "b" + ending);
            assertThat(items.get(0)).as(ending.length() + "-byte ending")
                    .isInstanceOf(InputItem.Request.class);
            assertThat(items.get(1)).isInstanceOfSatisfying(InputItem.Rejected.class, r ->
                    assertThat(r.problem()).contains("longer than 8192 bytes (8193 bytes)"));
        }
    }

    @Test
    void anOverLongLineIsRejectedAndTheNextLineStillReads() {
        String longLine = "http://h.test/?q=" + "a".repeat(20_000);
        List<InputItem> items = readAll(longLine + "\nhttp://h.test/next\n");
        assertThat(items).hasSize(2);
        assertThat(items.get(0)).isInstanceOfSatisfying(InputItem.Rejected.class, r -> {
            assertThat(r.problem()).contains("longer than 8192 bytes");
            // Its record shows the line's start, as for any line refused (it showed "").
            assertThat(r.url()).isEqualTo(longLine.substring(0, 200) + "...");
        });
        assertThat(items.get(1)).isInstanceOf(InputItem.Request.class);
        assertThat(items.get(1).seq()).isEqualTo(2);
    }

    /**
     * From an exploratory test: the cut at 200 characters split an emoji's surrogate pair, and
     * the record held its first half, an escape of no character at which jq stopped and lost
     * every record after it. The cut now drops the whole pair, in a refused line (a space) and
     * in one too long to be read.
     */
    @Test
    void aRefusedLinesCutNeverSplitsACharacter() {
        String start = "http://h.test/" + "a".repeat(199 - "http://h.test/".length());
        String refused = start + "\uD83D\uDE00 x";
        String tooLong = start + "\uD83D\uDE00" + "b".repeat(9000);
        List<InputItem> items = readAll(refused + "\n" + tooLong + "\n");
        assertThat(items).hasSize(2).allSatisfy(item -> assertThat(item)
                .isInstanceOfSatisfying(InputItem.Rejected.class, r ->
                        assertThat(r.url()).isEqualTo(start + "...")));
    }

    @Test
    void aLineThatIsNotUtf8IsRejectedAlone() {
        byte[] bytes = "http://h.test/\u00ff\nhttp://h.test/ok\n".getBytes(
                StandardCharsets.ISO_8859_1);
        List<InputItem> items = readAll(new ByteArrayInputStream(bytes));
        assertThat(items.get(0)).isInstanceOfSatisfying(InputItem.Rejected.class, r -> {
            assertThat(r.problem()).contains("UTF-8");
            assertThat(r.url()).isEqualTo("http://h.test/\uFFFD");
        });
        assertThat(items.get(1)).isInstanceOf(InputItem.Request.class);
    }

    /**
     * The lines a resume takes for no items' (a record of one is refused) are exactly those no
     * item is read from, in a URL list and in JSON Lines, whose lines may be longer: read past
     * unread where their first byte shows an item, as text where it may not.
     */
    @Test
    void theLinesCountedAsSkippedAreExactlyThoseNoItemIsReadFrom() {
        java.io.ByteArrayOutputStream input = new java.io.ByteArrayOutputStream();
        input.writeBytes(("\uFEFF# after a byte order mark\n\n\t\n\u3000\n\u00A0x\n"
                + "  # indented\n#" + "x".repeat(9_000) + "\n").getBytes(StandardCharsets.UTF_8));
        input.writeBytes(new byte[] {'#', ' ', (byte) 0xff, '\n'});
        input.writeBytes(("http://a.test/1\r\n\r\nnot a url\n\u000B# after a vertical tab\n"
                + "\u001F\n\u007Fx\n{\"url\":\"http://a.test/2\"}\n#last")
                .getBytes(StandardCharsets.UTF_8));
        byte[] bytes = input.toByteArray();
        long lines = 16;

        for (int maxLineBytes : new int[] {UrlListReader.MAX_LINE_BYTES,
                JsonLinesReader.MAX_LINE_BYTES}) {
            List<Long> items = new ArrayList<>();
            LineItemReader reader = maxLineBytes == UrlListReader.MAX_LINE_BYTES
                    ? new UrlListReader(new ByteArrayInputStream(bytes),
                            UrlListReader.RequestTemplate.GET)
                    : new JsonLinesReader(new ByteArrayInputStream(bytes),
                            UrlListReader.RequestTemplate.GET);
            reader.forEachRemaining(item -> items.add(item.seq()));
            List<Long> skipped = new ArrayList<>();
            try {
                LineItemReader.eachSkippedLine(new ByteArrayInputStream(bytes), "list",
                        maxLineBytes, skipped::add);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }

            assertThat(skipped).as("lines of %d bytes at most", maxLineBytes)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, lines)
                            .boxed().filter(line -> !items.contains(line)).toList());
            assertThat(skipped).contains(1L, 2L, 3L, 4L, 6L, 10L, 12L, 13L, 16L)
                    .doesNotContain(5L, 8L, 9L, 11L, 14L, 15L);
            assertThat(skipped.contains(7L)).isEqualTo(maxLineBytes > 9_001);
        }
    }

    @Test
    void readsLazilyTakingOnlyWhatTheNextItemNeeds() {
        GeneratedLines lines = new GeneratedLines(1_000_000);
        UrlListReader reader = new UrlListReader(lines, UrlListReader.RequestTemplate.GET);

        assertThat(reader.next().seq()).isEqualTo(1);
        assertThat(lines.produced).isLessThanOrEqualTo(64 * 1024);

        long count = 1;
        while (reader.hasNext()) {
            reader.next();
            count++;
        }
        assertThat(count).isEqualTo(1_000_000);
    }

    /** An input of {@code lines} URLs made up as it is read, never held whole. */
    private static final class GeneratedLines extends InputStream {
        private final long lines;
        private long line;
        private byte[] current = new byte[0];
        private int pos;
        long produced;

        GeneratedLines(long lines) {
            this.lines = lines;
        }

        @Override
        public int read() {
            if (pos == current.length) {
                if (line == lines) {
                    return -1;
                }
                line++;
                current = ("http://h.test/items/" + line + "\n").getBytes(StandardCharsets.UTF_8);
                pos = 0;
            }
            produced++;
            return current[pos++];
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = 0;
            while (n < len) {
                int c = read();
                if (c < 0) {
                    return n == 0 ? -1 : n;
                }
                b[off + n++] = (byte) c;
            }
            return n;
        }
    }
}
