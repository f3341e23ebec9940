package dev.bulkfetch.cli;

import dev.bulkfetch.mock.MockServer;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Runs the embedded WireMock for the length of a command. */
final class MockOptionsMixin {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--mock", description = "Start the embedded WireMock (wiremock-mappings/) "
            + "for this run; URLs on 127.0.0.1:8089 go to it.")
    boolean mock;

    @Option(names = "--mock-port", paramLabel = "PORT",
            description = "Port for --mock (default: ${DEFAULT-VALUE}; 0 picks a free one).",
            defaultValue = "8089")
    int mockPort = MockServer.DEFAULT_PORT;

    /** The mock, started, or {@code null} without {@code --mock}. */
    MockServer startIfAsked() {
        if (!mock) {
            return null;
        }
        if (mockPort < 0 || mockPort > 65535) {
            throw new ParameterException(command.commandLine(),
                    "Invalid value for option '--mock-port': must be 0 to 65535: " + mockPort);
        }
        return Main.usageErrorIfThrows(command, () -> MockServer.start(mockPort,
                Path.of("wiremock-mappings")));
    }
}
