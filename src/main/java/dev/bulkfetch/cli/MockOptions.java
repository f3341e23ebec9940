package dev.bulkfetch.cli;

import static dev.bulkfetch.cli.Options.flag;
import static dev.bulkfetch.cli.Options.option;

import dev.bulkfetch.mock.MockServer;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Runs the embedded WireMock for the length of a command. */
final class MockOptions {

    private CommandSpec command;
    boolean mock;
    int mockPort = MockServer.DEFAULT_PORT;

    /** Declares these options on a command. */
    void addTo(Options options) {
        command = options.command();
        options.add(flag("--mock")
                        .description("Start the embedded WireMock (wiremock-mappings/) for this "
                                + "run; URLs on 127.0.0.1:8089 go to it."),
                        () -> mock, v -> mock = v)
                .add(option("--mock-port").paramLabel("PORT").type(int.class)
                        .defaultValue(String.valueOf(MockServer.DEFAULT_PORT))
                        .description("Port for --mock (default: ${DEFAULT-VALUE}; 0 picks a free "
                                + "one)."),
                        () -> mockPort, v -> mockPort = v);
    }

    /** The mock, started, or {@code null} without {@code --mock}. */
    MockServer startIfAsked() {
        if (!mock) {
            if (command.commandLine().getParseResult().hasMatchedOption("--mock-port")) {
                throw new ParameterException(command.commandLine(), "Invalid value for option "
                        + "'--mock-port': it is for --mock, which is not given");
            }
            return null;
        }
        if (mockPort < 0 || mockPort > 65535) {
            throw new ParameterException(command.commandLine(),
                    "Invalid value for option '--mock-port': must be 0 to 65535: " + mockPort);
        }
        return Main.usageErrorIfThrows(command, "--mock-port", () -> MockServer.start(mockPort,
                Path.of("wiremock-mappings")));
    }
}
