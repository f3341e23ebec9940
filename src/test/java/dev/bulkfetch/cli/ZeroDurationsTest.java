package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * After a probe: --timeout 0 was told "'0' has no unit: write 0s for seconds (or 0ms)", and
 * --timeout 0s then "'0s' must be at least 1ms". A zero where an option refuses it is now
 * told the minimum, and a timeout's that none turns it off; --grace still takes 0.
 */
class ZeroDurationsTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--timeout         | 0      | true",
        "--timeout         | 0s     | true",
        "--timeout         | -1     | true",
        "--connect-timeout | 0.0    | true",
        "--idle-timeout    | 0ms    | true",
        "--timeout         | 0.0001 | false",
    })
    void aZeroATimeoutRefusesIsToldTheMinimumNotAUnitThatIsRefusedToo(String option,
                                                                      String value,
                                                                      boolean zero) {
        Cli.Result result = Cli.run("fetch", "never-read.txt", option, value);

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("Invalid value for option '" + option + "': '"
                + value + "' must be at least 1ms" + (zero ? "; there is no 'no timeout' (24h"
                + " at most)" : "") + "\n").doesNotContain("write 0");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "compare never-read.txt --server-delay 0 | --server-delay': '0' must be at least 1ms",
        "fetch never-read.txt --backoff 0..1s    | --backoff': '0' must be at least 1ms",
    })
    void aZeroOtherOptionsRefuseIsToldTheirMinimum(String line, String said) {
        Cli.Result result = Cli.run(line.strip().split(" +"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains(said + "\n").doesNotContain("write 0")
                .doesNotContain("no timeout");
    }
}
