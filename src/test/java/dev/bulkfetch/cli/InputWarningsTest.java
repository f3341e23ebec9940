package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the input's lines may mean other than what they say, said once on stderr as the run
 * ends, where each record says it a line at a time (exploratory test):
 * <ul>
 *   <li>JSON Lines request specs in a file named .json, or piped in, are read as a URL list:
 *       each line was an input error whose record said why, and stderr said only "errors:
 *       input 6";</li>
 *   <li>a spec with a body and no method went as a GET, which an API meant to create may
 *       answer 200 having done nothing.</li>
 * </ul>
 */
class InputWarningsTest {

    @RegisterExtension
    static final TestServer server = new TestServer();

    @TempDir
    Path dir;

    @Test
    void specLinesReadAsUrlsAreSaidOnceNamingTheFirstAndTheFormat() throws Exception {
        String spec = "{\"url\":\"" + server.url("/ok/1") + "\"}\n";
        // Too long for a URL list's line (a spec with a body): rejected as that, a spec too.
        String longSpec = "{\"url\":\"" + server.url("/ok/2") + "\",\"body\":\""
                + "x".repeat(9000) + "\"}\n";
        Path list = TestServer.write(dir.resolve("specs.json"), "# specs\n"
                + server.url("/ok/3") + "\n" + spec + longSpec + spec);
        Path out = dir.resolve("out.jsonl");

        Cli.Result result = Cli.run("fetch", list.toString(), "-o", out.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.SOME_FAILED);
        String warning = "bulkfetch fetch: warning: line 3 of " + list + " begins with '{' (as"
                + " do 2 more lines), as a JSON Lines request spec does and no URL does: read as"
                + " a URL list, such lines are input errors; --input-format jsonl reads request"
                + " specs (auto does for a .jsonl or .ndjson name)";
        assertThat(result.err()).contains(warning + "\n");
        assertThat(result.err().split("begins with", -1)).hasSize(2);
        // Every line still has its record, saying why as before; the run went on.
        List<JsonNode> records = Records.read(out);
        assertThat(records).hasSize(4);
        assertThat(records).filteredOn(r -> r.get("ok").asBoolean()).hasSize(1);
        assertThat(records).filteredOn(r -> !r.get("ok").asBoolean())
                .allSatisfy(r -> assertThat(r.get("error").get("message").asText())
                        .contains("--input-format jsonl reads them"));
    }

    @Test
    void oneSpecOnStdinIsSaidQuietOrNot() {
        String spec = "{\"url\":\"" + server.url("/ok/1") + "\"}\n";

        Cli.Result result = Cli.runWithInput(server.url("/ok/2") + "\n" + spec, "fetch", "-",
                "-q");

        assertThat(result.err()).isEqualTo("bulkfetch fetch: warning: line 2 of stdin begins"
                + " with '{', as a JSON Lines request spec does and no URL does: read as a URL"
                + " list, such lines are input errors; --input-format jsonl reads request"
                + " specs\n");
        assertThat(Records.parse(result.out())).hasSize(2);
    }

    @Test
    void specsWithABodyAndNoMethodAreSaidOnceUnlessAnotherMethodIsTheDefault() throws Exception {
        Path specs = TestServer.write(dir.resolve("specs.jsonl"), String.join("\n",
                "{\"url\":\"" + server.url("/ok/1") + "\"}",
                "{\"url\":\"" + server.url("/ok/2") + "\",\"method\":\"POST\",\"body\":\"a\"}",
                "{\"url\":\"" + server.url("/ok/3") + "\",\"body\":{\"k\":1}}",
                "{\"url\":\"" + server.url("/ok/4") + "\",\"body\":\"b\"}") + "\n");

        Cli.Result result = Cli.run("fetch", specs.toString(), "-q", "-o",
                dir.resolve("out.jsonl").toString());
        Cli.Result posted = Cli.run("fetch", specs.toString(), "-q", "-X", "POST", "-o",
                dir.resolve("posted.jsonl").toString());

        assertThat(result.err()).isEqualTo("bulkfetch fetch: warning: line 3 of " + specs
                + " gives a \"body\" and no \"method\" (as does 1 more line), and was sent as"
                + " a GET, the default: give \"method\": \"POST\" (or -X POST) where the body"
                + " was meant to create or change something\n");
        assertThat(Records.read(dir.resolve("out.jsonl"))).extracting(r -> r.get("method")
                .asText()).containsExactlyInAnyOrder("GET", "POST", "GET", "GET");
        assertThat(posted.err()).isEmpty();
    }
}
