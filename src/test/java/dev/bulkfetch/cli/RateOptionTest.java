package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Parses the command line alone: a rate out of bounds is refused before anything runs. */
class RateOptionTest {

    private static FetchCommand parse(String... args) {
        CommandLine cli = Main.commandLine(new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), new PrintWriter(new StringWriter()));
        CommandLine.ParseResult result = cli.parseArgs(args);
        return (FetchCommand) result.subcommand().commandSpec().userObject();
    }

    /**
     * From an exploratory test: --rate 1000000000000000000/s ran out of memory, and
     * --rate-per-host 0.0000000001/s never started its first request.
     */
    @Test
    void aRateTooLargeOrTooSmallIsAUsageErrorNamingTheOptionAndSayingWhich() {
        FetchCommand fast = parse("fetch", "list.txt", "--rate", "1000000000000000000/s");
        assertThatThrownBy(fast::config)
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("Invalid value for option '--rate': '1000000000000000000/s' is too "
                        + "large a rate (at most 1000000000/s, one start a nanosecond)");
        FetchCommand slow = parse("fetch", "list.txt", "--rate-per-host", "0.0000000001/s");
        assertThatThrownBy(slow::config)
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("Invalid value for option '--rate-per-host': '0.0000000001/s' is "
                        + "too small a rate (at least one start in 100 years)");
    }
}
