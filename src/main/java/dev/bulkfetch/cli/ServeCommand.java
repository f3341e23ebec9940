package dev.bulkfetch.cli;

import dev.bulkfetch.mock.MockServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bulkfetch serve}: the embedded WireMock on its own, until Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve wiremock-mappings/ with the embedded WireMock, tuned as a load "
                + "target, on 127.0.0.1 until interrupted.")
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT",
            description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).",
            defaultValue = "8089")
    int port = MockServer.DEFAULT_PORT;

    @Option(names = "--root", paramLabel = "DIR", description = "WireMock root to serve "
            + "(default: ${DEFAULT-VALUE}, else the stubs built into the jar).",
            defaultValue = "wiremock-mappings")
    Path root;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0 to 65535: " + port);
        }
        MockServer server = MockServer.start(port, root);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bulkfetch-serve-stop"));
        spec.commandLine().getErr().println("serving " + root + " on " + server.baseUrl()
                + " (Ctrl-C stops)");
        spec.commandLine().getErr().flush();
        new CountDownLatch(1).await();
        return ExitCodes.OK;
    }
}
