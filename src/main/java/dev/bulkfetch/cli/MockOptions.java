package dev.bulkfetch.cli;

import static dev.bulkfetch.cli.Options.flag;
import static dev.bulkfetch.cli.Options.option;

import dev.bulkfetch.mock.MockServer;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Runs the embedded WireMock for the length of a command. */
final class MockOptions {

    private final String mockDescription;
    private CommandSpec command;
    boolean mock;
    int mockPort = MockServer.DEFAULT_PORT;

    MockOptions() {
        this("Start the embedded WireMock (wiremock-mappings/) for this run; URLs on "
                + "127.0.0.1:8089 or localhost:8089 go to it.");
    }

    /** With {@code --mock} described as the command uses it. */
    MockOptions(String mockDescription) {
        this.mockDescription = mockDescription;
    }

    /** Declares these options on a command. */
    void addTo(Options options) {
        command = options.command();
        options.add(flag("--mock").description(mockDescription), () -> mock, v -> mock = v)
                .add(option("--mock-port").paramLabel("PORT").type(int.class)
                        .defaultValue(String.valueOf(MockServer.DEFAULT_PORT))
                        .description("Port for the mock (default: ${DEFAULT-VALUE}; 0 picks a "
                                + "free one)."),
                        () -> mockPort, v -> mockPort = v);
    }

    /** The mock, started, or {@code null} without {@code --mock}. */
    MockServer startIfAsked() {
        return wanted(false) ? start() : null;
    }

    /**
     * Whether the mock is to run: asked for with {@code --mock}, or {@code implied} by the
     * command (compare without a list). A usage error for a {@code --mock-port} it cannot use.
     */
    boolean wanted(boolean implied) {
        if (!mock && !implied) {
            // A port given for a mock not asked for was ignored, and the run went elsewhere.
            if (command.commandLine().getParseResult().hasMatchedOption("--mock-port")) {
                throw new ParameterException(command.commandLine(), "Invalid value for option "
                        + "'--mock-port': it is for --mock, which is not given");
            }
            return false;
        }
        if (mockPort < 0 || mockPort > 65535) {
            throw new ParameterException(command.commandLine(),
                    "Invalid value for option '--mock-port': must be 0 to 65535: " + mockPort);
        }
        return true;
    }

    /** The mock, started on {@code --mock-port}; a usage error naming it when it cannot. */
    MockServer start() {
        return Main.usageErrorIfThrows(command, "--mock-port", () -> MockServer.start(mockPort,
                Path.of("wiremock-mappings")));
    }
}
