package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a curl user types gets what bulkfetch does instead, not picocli's nearest names. */
class CurlHabitsTest {

    @TempDir
    Path dir;

    /** -d was offered --deny-private. */
    @ParameterizedTest
    @ValueSource(strings = {"-d", "--data", "--data-binary", "--data-raw", "--json", "-F"})
    void aBodyOptionSaysBodiesComeFromJsonLines(String option) throws Exception {
        Path list = Files.writeString(dir.resolve("urls.txt"), "http://127.0.0.1:1/x\n");

        Cli.Result result = Cli.run("fetch", option, "x", list.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("Unknown option: '" + option + "'")
                .contains("JSON Lines").contains("--input-format jsonl")
                .contains("\"body\"").contains("API backfills")
                .doesNotContain("Possible solutions");
    }

    @Test
    void anOptionWithItsValueJoinedIsKnownToo() {
        assertThat(Cli.run("fetch", "--data=x", "urls.txt").err()).contains("\"body\"");
        assertThat(Cli.run("fetch", "-dx", "urls.txt").err()).contains("\"body\"");
    }

    /**
     * compare has -X and --input-format as fetch has: curl's --request names its -X, and
     * curl's -d says its bodies come from JSON Lines, as --input-format jsonl reads them.
     */
    @Test
    void compareNamesItsMethodOptionAndWhereBodiesComeFrom() {
        Cli.Result request = Cli.run("compare", "--request", "POST", "urls.txt");
        Cli.Result data = Cli.run("compare", "-d", "x", "urls.txt");

        assertThat(request.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(request.err()).contains("bulkfetch compare has no --request (curl's): the"
                + " method is -X, --method (HEAD too).").doesNotContain("Possible solutions");
        assertThat(data.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(data.err()).contains("\"body\"").contains("--input-format jsonl,"
                + " automatic for a .jsonl or .ndjson file").doesNotContain("Possible solutions");
    }

    @Test
    void fetchNamesItsOwnOptionsForCurls() {
        assertThat(Cli.run("fetch", "--request", "POST", "urls.txt").err())
                .contains("-X, --method");
        assertThat(Cli.run("fetch", "-u", "ann:pw", "urls.txt").err())
                .contains("-H 'Authorization: Basic ...'");
        assertThat(Cli.run("fetch", "-L", "urls.txt").err()).contains("--max-redirects");
    }

    @Test
    void aMisspeltOptionStillGetsTheNearestNames() {
        assertThat(Cli.run("fetch", "--concurency", "3", "urls.txt").err())
                .contains("Possible solutions: --concurrency");
    }

    /** Given where the list goes, as curl takes it: "input file not found" said no more. */
    @Test
    void aUrlGivenForTheListSaysHowToFetchIt() {
        Cli.Result fetch = Cli.run("fetch", "http://127.0.0.1:1/x");
        Cli.Result compare = Cli.run("compare", "http://127.0.0.1:1/x");

        assertThat(fetch.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(fetch.err()).contains("input file not found: http://127.0.0.1:1/x")
                .contains("echo 'http://127.0.0.1:1/x' | bulkfetch fetch -");
        assertThat(compare.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(compare.err()).contains("bulkfetch compare <(echo 'http://127.0.0.1:1/x')");
        assertThat(Cli.run("fetch", dir.resolve("missing.txt").toString()).err())
                .contains("input file not found").doesNotContain("echo");
    }
}
