package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What --help says of the commands' arguments. */
class HelpTest {

    /** URLS was "A URL list" alone, though both commands read JSON Lines request specs. */
    @ParameterizedTest
    @ValueSource(strings = {"fetch", "compare"})
    void theListsHelpSaysItMayBeJsonLines(String command) {
        Cli.Result help = Cli.run(command, "--help");

        String urls = help.out().replaceAll("\\s+", " ");
        assertThat(help.exitCode()).isZero();
        assertThat(urls).containsPattern("URLS\\]? A URL list, or JSON Lines request specs")
                .contains(command.equals("fetch") ? "--input-format" : ".jsonl or .ndjson");
    }
}
