package dev.bulkfetch.input;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Request specs from JSON Lines reach the server as given; bad lines are named. */
class JsonLinesRequestsTest {

    @TempDir
    Path dir;

    @Test
    void postBodiesAndHeadersFromJsonLinesReachTheServerAsGiven() {
        try (TestServer server = new TestServer()) {
            server.wireMock().stubFor(any(urlPathMatching("/api/.*"))
                    .willReturn(aResponse().withStatus(201)));
            String specs = String.join("\n",
                    "{\"id\": \"a\", \"url\": \"" + server.url("/api/users") + "\", \"method\": "
                            + "\"POST\", \"headers\": {\"X-Api-Key\": \"k1\"}, \"body\": "
                            + "{\"name\": \"Ada\", \"tags\": [1, 2]}}",
                    "{\"id\": 7, \"url\": \"" + server.url("/api/notes/1") + "\", \"method\": "
                            + "\"put\", \"headers\": {\"Content-Type\": \"text/plain\"}, "
                            + "\"body\": \"plain text\"}",
                    "{\"url\": \"" + server.url("/api/ping") + "\"}",
                    "{\"url\": \"" + server.url("/api/x") + "\", \"body\": 5}",
                    "{\"id\": \"no-url\"}",
                    "{not json",
                    "[1, 2]") + "\n";
            Path file = TestServer.write(dir.resolve("requests.jsonl"), specs);

            Cli.Result result = Cli.run("fetch", file.toString(), "-H", "X-Run: r1", "-q");

            assertThat(result.exitCode()).isEqualTo(1);
            Map<Long, JsonNode> bySeq = Records.parse(result.out()).stream().collect(
                    Collectors.toMap(r -> r.get("seq").asLong(), Function.identity()));
            assertThat(bySeq).hasSize(7);
            assertThat(bySeq.get(1L).get("id").asText()).isEqualTo("a");
            assertThat(bySeq.get(1L).get("method").asText()).isEqualTo("POST");
            assertThat(bySeq.get(1L).get("status").asInt()).isEqualTo(201);
            assertThat(bySeq.get(2L).get("id").asText()).isEqualTo("7");
            assertThat(bySeq.get(3L).get("ok").asBoolean()).isTrue();
            assertThat(bySeq.get(4L).get("error").get("message").asText())
                    .isEqualTo("line 4: \"body\" must be a string, an object or an array");
            assertThat(bySeq.get(5L).get("error").get("message").asText())
                    .isEqualTo("line 5: \"url\" is missing or not a string");
            assertThat(bySeq.get(6L).get("error").get("message").asText())
                    .startsWith("line 6: not valid JSON");
            assertThat(bySeq.get(7L).get("error").get("kind").asText()).isEqualTo("input");

            server.wireMock().verify(1, postRequestedFor(urlEqualTo("/api/users"))
                    .withHeader("X-Api-Key", equalTo("k1"))
                    .withHeader("X-Run", equalTo("r1"))
                    .withHeader("Content-Type", equalTo("application/json"))
                    .withRequestBody(equalToJson("{\"name\": \"Ada\", \"tags\": [1, 2]}")));
            server.wireMock().verify(1, putRequestedFor(urlEqualTo("/api/notes/1"))
                    .withHeader("Content-Type", equalTo("text/plain"))
                    .withRequestBody(equalTo("plain text")));
            server.wireMock().verify(1, getRequestedFor(urlEqualTo("/api/ping")));
        }
    }

    /**
     * From a review: an id 7 was written as "7", so {@code jq 'select(.id == 7)'} or a join on
     * the number found nothing. A record's id is what the line gives: a whole number as that
     * number, digit for digit (past a long, and -0, too), a string as a string, in accepted
     * lines and in rejected ones alike.
     */
    @Test
    void aRecordsIdIsTheLinesWholeNumberAsThatNumberAndItsStringAsAString() {
        try (TestServer server = new TestServer()) {
            String ok = "\"url\": \"" + server.url("/ok/1") + "\"";
            Path file = TestServer.write(dir.resolve("ids.jsonl"), String.join("\n",
                    "{\"id\": 7, " + ok + "}",
                    "{\"id\": 12345678901234567890, " + ok + "}",
                    "{\"id\": -0, " + ok + "}",
                    "{\"id\": \"user-17\", " + ok + "}",
                    "{\"id\": 8, \"url\": \"http://h.test/a b\"}",
                    "{\"id\": 9, " + ok + ",}",
                    "{\"id\": 10, " + ok + ", \"method\": \"PATCH\"}") + "\n");

            // The blocking engines refuse a PATCH: that line's input error, found past reading.
            // A saved body's record is made anew, with its file.
            Cli.Result result = Cli.run("fetch", file.toString(), "-q", "--ordered", "-e",
                    "threads", "--save-bodies", dir.resolve("bodies").toString());

            assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
            assertThat(result.out().lines().map(r -> r.substring(0, r.indexOf(",\"url\""))))
                    .containsExactly("{\"seq\":1,\"id\":7",
                            "{\"seq\":2,\"id\":12345678901234567890", "{\"seq\":3,\"id\":-0",
                            "{\"seq\":4,\"id\":\"user-17\"", "{\"seq\":5,\"id\":8",
                            "{\"seq\":6,\"id\":9", "{\"seq\":7,\"id\":10");
            assertThat(Records.parse(result.out())).extracting(r -> r.get("id").isNumber())
                    .containsExactly(true, true, true, false, true, true, true);
        }
    }

    /**
     * Ids need not be unique, and are not compared: every line is an item of its own. 7 and
     * "7" are two ids, as JSON has them, each kept as its line gives it; and an id given on two
     * lines is two items, each sent and recorded.
     */
    @Test
    void the7AndTheString7AreTwoIdsAndAnIdOnTwoLinesIsTwoItems() {
        try (TestServer server = new TestServer()) {
            Path file = TestServer.write(dir.resolve("twice.jsonl"), String.join("\n",
                    "{\"id\": 7, \"url\": \"" + server.url("/quick-held/1") + "\"}",
                    "{\"id\": \"7\", \"url\": \"" + server.url("/quick-held/2") + "\"}",
                    "{\"id\": 7, \"url\": \"" + server.url("/quick-held/3") + "\"}") + "\n");

            Cli.Result result = Cli.run("fetch", file.toString(), "-q", "--ordered");

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(Records.parse(result.out())).extracting(r -> r.get("id"))
                    .containsExactly(Records.json("7"), Records.json("\"7\""), Records.json("7"));
            assertThat(server.counter().served()).isEqualTo(3);
        }
    }

    /**
     * A line is one spec and says it once: text after the object, a key given twice (the last
     * "url" silently won) or an id that is no string or whole number ({"a": 1} became "", 1.5e3
     * became "1500.0") are that line's input error.
     */
    @Test
    void aLineThatSaysMoreOrOtherThanOneSpecIsThatLinesInputError() {
        String specs = String.join("\n",
                "{\"url\": \"http://h.test/1\"} trailing",
                "{\"url\": \"http://h.test/1\", \"url\": \"http://h.test/2\"}",
                "{\"url\": \"http://h.test/3\", \"id\": {\"a\": 1}}",
                "{\"url\": \"http://h.test/4\", \"id\": 1.5e3}",
                "{\"url\": \"http://h.test/5\", \"id\": 17}",
                "{\"url\": \"http://h.test/6\", \"headers\": {\"X-A\": \"1\", \"x-a\": \"2\"}}",
                "{\"url\": \"http://h.test/7\"} {\"url\": \"http://h.test/8\"}")
                + "\n";
        java.util.List<InputItem> items = new java.util.ArrayList<>();
        new JsonLinesReader(new java.io.ByteArrayInputStream(
                specs.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                UrlListReader.RequestTemplate.GET).forEachRemaining(items::add);

        assertThat(items).hasSize(7);
        assertThat(((InputItem.Rejected) items.get(0)).problem()).contains("not valid JSON");
        assertThat(((InputItem.Rejected) items.get(1)).problem()).isEqualTo("not valid JSON:"
                + " \"url\" given twice (which is meant is not known), at column 28");
        assertThat(((InputItem.Rejected) items.get(2)).problem())
                .contains("\"id\" must be a string or a whole number");
        assertThat(items.get(3)).isInstanceOf(InputItem.Rejected.class);
        assertThat(((InputItem.Request) items.get(4)).request().id()).isEqualTo("17");
        assertThat(((InputItem.Rejected) items.get(5)).problem())
                .contains("header \"x-a\" is given twice");
        // After review: said in Jackson's words ("bound as `com.fasterxml...JsonNode`").
        assertThat(((InputItem.Rejected) items.get(6)).problem()).isEqualTo("not valid JSON:"
                + " more after the object, at column 28 (one spec a line)");
    }

    /**
     * A rejected spec's record says which spec it was: its id and method (they read as the
     * line number and GET, so two records could share an id), and its URL cut short, never
     * the whole line, whose headers held a token the record showed.
     */
    @Test
    void aRejectedSpecsRecordHasItsIdMethodAndUrlButNotItsHeaders() throws Exception {
        String secret = "Bearer TOPSECRET-123";
        String longUrl = "ftp://h.test/" + "a".repeat(5000);
        String specs = String.join("\n",
                "{\"id\": \"3\", \"url\": \"http://h.test/a\", \"method\": \"POST\", "
                        + "\"headers\": {\"Authorization\": \"" + secret + "\"}, \"headrs\": {}}",
                "{\"id\": \"order-2\", \"url\": \"http://h.test/b\", \"method\": \"PO ST\", "
                        + "\"headers\": {\"Authorization\": \"" + secret + "\"}}",
                "{\"id\": \"long\", \"url\": \"" + longUrl + "\"}",
                "{\"id\": 4, \"url\": \"http://h.test/d\", \"headers\": {\"X-Page\": 1e2}}",
                "{\"url\": \"http://h.test/e\", \"headers\": {\"Authorization\": \"" + secret
                        + "\"}",
                "{\"id\": \"tunnel\", \"url\": \"http://h.test/f\", \"method\": \"connect\"}")
                + "\n";
        Path file = TestServer.write(dir.resolve("rejected.jsonl"), specs);

        Cli.Result result = Cli.run("fetch", file.toString(), "-q", "-c", "2");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.out() + result.err()).doesNotContain("TOPSECRET");
        Map<Long, JsonNode> bySeq = Records.parse(result.out()).stream().collect(
                Collectors.toMap(r -> r.get("seq").asLong(), Function.identity()));
        assertThat(bySeq).hasSize(6);
        assertThat(bySeq.values()).allMatch(r -> r.get("error").get("kind").asText()
                .equals("input"));
        JsonNode misspelt = bySeq.get(1L);
        assertThat(misspelt.get("id").asText()).isEqualTo("3");
        assertThat(misspelt.get("method").asText()).isEqualTo("POST");
        assertThat(misspelt.get("url").asText()).isEqualTo("http://h.test/a");
        assertThat(misspelt.get("error").get("message").asText())
                .startsWith("line 1: unknown field \"headrs\"");
        assertThat(bySeq.get(2L).get("id").asText()).isEqualTo("order-2");
        assertThat(bySeq.get(2L).get("method").asText()).isEqualTo("PO ST");
        assertThat(bySeq.get(3L).get("url").asText()).hasSize(203)
                .isEqualTo(longUrl.substring(0, 200) + "...");
        assertThat(bySeq.get(4L).get("id").asText()).isEqualTo("4");
        assertThat(bySeq.get(4L).get("error").get("message").asText())
                .isEqualTo("line 4: header \"X-Page\" must be a string");
        // Its url read whole before the line went wrong; nothing of its headers.
        assertThat(bySeq.get(5L).get("url").asText()).isEqualTo("http://h.test/e");
        assertThat(bySeq.get(5L).get("error").get("message").asText()).isEqualTo("line 5: not"
                + " valid JSON: the line ends inside an object or array, at column 80");
        assertThat(bySeq.get(6L).get("error").get("message").asText())
                .contains("CONNECT asks a proxy for a tunnel");
        assertThat(bySeq.get(6L).get("method").asText()).isEqualTo("CONNECT");
    }

    /**
     * An object body goes as the line wrote it: read into a tree and written back, its
     * numbers went through a double (19.999999999999999999 as 20.0, 1e400 as "Infinity").
     */
    @Test
    void anObjectBodyIsSentByteForByteAsTheLineWroteIt() {
        try (TestServer server = new TestServer()) {
            server.wireMock().stubFor(any(urlPathMatching("/api/.*"))
                    .willReturn(aResponse().withStatus(201)));
            String body = "{\"amount\": 19.999999999999999999, \"qty\":1e2, \"price\": 1.10, "
                    + "\"huge\": 1e400, \"list\": [ 1, {\"a\": \"\\u00e9\"} ]}";
            Path file = TestServer.write(dir.resolve("money.jsonl"), "{\"url\": \""
                    + server.url("/api/pay") + "\", \"method\": \"POST\", \"body\": " + body
                    + ", \"id\": \"m\"}\n");

            Cli.Result result = Cli.run("fetch", file.toString(), "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            server.wireMock().verify(1, postRequestedFor(urlEqualTo("/api/pay"))
                    .withHeader("Content-Type", equalTo("application/json"))
                    .withRequestBody(equalTo(body)));
        }
    }

    /**
     * A field given as null is that field left out, for every field but the required url:
     * "id": null and "body": null were taken so, but "method": null and "headers": null were
     * input errors, though a producer of specs writes null for a field it has no value for.
     */
    @ParameterizedTest
    @ValueSource(strings = {"id", "method", "headers", "body"})
    void anOptionalFieldGivenAsNullIsThatFieldLeftOut(String field) throws Exception {
        UrlListReader.RequestTemplate template = new UrlListReader.RequestTemplate("PUT",
                Map.of("X-Run", "r1"), java.util.function.UnaryOperator.identity());
        String url = "\"url\": \"http://127.0.0.1:9/x\"";

        InputItem leftOut = readOne("{" + url + "}", template);
        InputItem givenAsNull = readOne("{" + url + ", \"" + field + "\": null}", template);

        assertThat(givenAsNull).as(givenAsNull.toString())
                .isInstanceOf(InputItem.Request.class);
        dev.bulkfetch.FetchRequest expected = ((InputItem.Request) leftOut).request();
        dev.bulkfetch.FetchRequest request = ((InputItem.Request) givenAsNull).request();
        assertThat(request.id()).isEqualTo(expected.id()).isEqualTo("1");
        assertThat(request.url()).isEqualTo(expected.url());
        assertThat(request.method()).isEqualTo(expected.method()).isEqualTo("PUT");
        assertThat(request.headers()).isEqualTo(expected.headers())
                .isEqualTo(Map.of("X-Run", "r1"));
        assertThat(request.body()).isEqualTo(expected.body()).isNull();
    }

    /**
     * The one required field is missing when given as null, as when left out; a header's
     * value is no field of the spec, and is a string.
     */
    @Test
    void aUrlGivenAsNullIsMissingAndAHeaderValueOfNullIsNoString() throws Exception {
        InputItem item = readOne("{\"id\": \"a\", \"url\": null}",
                UrlListReader.RequestTemplate.GET);
        InputItem header = readOne("{\"url\": \"http://127.0.0.1:9/x\", \"headers\": "
                + "{\"X-A\": null}}", UrlListReader.RequestTemplate.GET);

        assertThat(item).isInstanceOfSatisfying(InputItem.Rejected.class, rejected -> {
            assertThat(rejected.problem()).contains("\"url\" is missing");
            assertThat(rejected.id()).isEqualTo("a");
        });
        assertThat(header).isInstanceOfSatisfying(InputItem.Rejected.class, rejected ->
                assertThat(rejected.problem()).isEqualTo("header \"X-A\" must be a string"));
    }

    /**
     * Jackson's messages quoted the line ("Unrecognized token 'sk_live_...'" of an unquoted
     * header value) and named its settings ("enable JsonReadFeature..."): each is told in our
     * words, at its column, with no text of the line.
     */
    @Test
    void aMalformedLineSaysWhatIsWrongAndWhereWithoutQuotingIt() throws Exception {
        String url = "{\"url\":\"http://127.0.0.1:9/s\"";
        Map<String, String> problems = new java.util.LinkedHashMap<>();
        problems.put(url + ",\"headers\":{\"Authorization\":sk_live_SECRETabc}}",
                "a value that is not quoted (strings need double quotes), at column 58");
        problems.put(url + ",\"body\":NaN}", "NaN or Infinity is not JSON, at column 38");
        problems.put(url + " /* SECRET */}", "comments are not JSON, at column 31");
        problems.put(url + ",\"headers\":{\"X-Key\":\"SECRET",
                "the line ends inside the string that begins at column 50");
        problems.put(url + ",\"headers\":{\"X-Key\":\"SECRET\"}",
                "the line ends inside an object or array, at column 59");
        problems.put(url + ",SECRET:1}", "a key that is not in double quotes, at column 31");
        problems.put(url + ",}", "a comma with no key after it, at column 31");
        problems.put(url + ",\"body\":\"SE\tCRET\"}", "a control character, such as a tab,"
                + " in a string (JSON writes it as an escape, such as \\t), at column 41");
        problems.put(url + ",\"body\":01}", "a number written as JSON does not allow, at column"
                + " 39");
        problems.forEach((line, problem) -> assertThat(rejected(line).problem()).as(line)
                .isEqualTo("not valid JSON: " + problem));
    }

    /**
     * A line that is no valid JSON kept none of what it asked: its record had the line number
     * for id, and GET. What reads before the line goes wrong is its own; a field given twice
     * is not, as which was meant is not known.
     */
    @Test
    void aMalformedLineKeepsTheIdMethodAndUrlReadBeforeItGoesWrong() throws Exception {
        String dupUrl = "{\"id\":\"dupkey\",\"url\":\"http://h.test/1\",\"url\":"
                + "\"http://h.test/2\"}";
        String more = "{\"id\":\"t\",\"method\":\"put\",\"url\":\"http://h.test/3\"} x";
        String nan = "{\"id\":7,\"url\":\"http://h.test/4\",\"body\":NaN}";
        String dupId = "{\"id\":\"a\",\"id\":\"b\",\"url\":\"http://h.test/5\",}";

        assertThat(rejected(dupUrl)).extracting("id", "url", "method")
                .containsExactly("dupkey", null, "GET");
        assertThat(rejected(more)).extracting("id", "url", "method", "problem").containsExactly(
                "t", "http://h.test/3", "PUT", "not valid JSON: more after the object, at"
                        + " column 51 (one spec a line)");
        assertThat(rejected(nan)).extracting("id", "url").containsExactly("7", "http://h.test/4");
        assertThat(rejected(dupId)).extracting("id", "url")
                .containsExactly(null, "http://h.test/5");
        assertThat(rejected(dupId).problem()).startsWith("not valid JSON: \"id\" given twice");
    }

    private static InputItem.Rejected rejected(String line) {
        try {
            InputItem item = readOne(line, UrlListReader.RequestTemplate.GET);
            assertThat(item).as(line).isInstanceOf(InputItem.Rejected.class);
            return (InputItem.Rejected) item;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static InputItem readOne(String line, UrlListReader.RequestTemplate template)
            throws java.io.IOException {
        try (JsonLinesReader reader = new JsonLinesReader(new java.io.ByteArrayInputStream(
                (line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)), template)) {
            InputItem item = reader.next();
            assertThat(reader.hasNext()).isFalse();
            return item;
        }
    }
}
