package dev.bulkfetch.cli;

import static dev.bulkfetch.cli.Options.option;

import dev.bulkfetch.Rate;
import dev.bulkfetch.mock.MockServer;
import dev.bulkfetch.mock.TokenBucket;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code bulkfetch serve}: the embedded WireMock on its own, until Ctrl-C. */
final class ServeCommand implements Callable<Integer> {

    final CommandSpec spec;
    int port = MockServer.DEFAULT_PORT;
    Path root;
    String limit;

    ServeCommand() {
        spec = declare();
    }

    /** The command's model, its options bound to this object's fields. */
    private CommandSpec declare() {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("serve");
        spec.usageMessage().description("Serve wiremock-mappings/ with the embedded WireMock, "
                + "tuned as a load target, on 127.0.0.1 until interrupted.");
        new Options(spec)
                .add(option("-p", "--port").paramLabel("PORT").type(int.class)
                        .defaultValue(String.valueOf(MockServer.DEFAULT_PORT))
                        .description("Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a "
                                + "free one)."),
                        () -> port, v -> port = v)
                .add(option("--root").paramLabel("DIR").type(Path.class)
                        .defaultValue("wiremock-mappings")
                        .description("WireMock root to serve (default: ${DEFAULT-VALUE}, else "
                                + "the stubs built into the jar)."),
                        () -> root, v -> root = v)
                .add(option("--limit").paramLabel("N/s").type(String.class)
                        .description("Enforce a server-side rate limit on every stub (a token "
                                + "bucket holding one second's worth, so a quiet server may "
                                + "take up to twice N in its first busy second): over it, 429 "
                                + "with Retry-After: 1. Prints arrivals and the busiest second "
                                + "when stopped."),
                        () -> limit, v -> limit = v)
                .helpAndVersion(new BulkfetchCommand.Version());
        return spec;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '--port': must be 0 to 65535: " + port);
        }
        TokenBucket bucket = null;
        if (limit != null) {
            double perSecond;
            try {
                perSecond = Rate.parse(limit).perSecond();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(),
                        "Invalid value for option '--limit': " + e.getMessage());
            }
            bucket = new TokenBucket(perSecond, Math.max(1, perSecond), true);
        }
        // '' is no folder: it read as this one, "has no mappings/ folder".
        Options.refuseEmptyName(spec, "--root", root);
        boolean rootGiven = spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--root");
        boolean hasMappings = Files.isDirectory(root.resolve("mappings"));
        if (rootGiven && !hasMappings) {
            // It would have served the built-in stubs while saying it served this folder.
            String why = !Files.exists(root) ? " does not exist"
                    : !Files.isDirectory(root) ? " is not a folder"
                    : " has no mappings/ folder (WireMock's root layout)";
            throw new ParameterException(spec.commandLine(), "Invalid value for option "
                    + "'--root': " + root + why);
        }
        TokenBucket limiter = bucket;
        MockServer server = Main.usageErrorIfThrows(spec, "--port",
                () -> MockServer.start(port, root, limiter));
        PrintWriter err = spec.commandLine().getErr();
        TokenBucket stats = bucket;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (stats != null) {
                err.println("serve: " + stats.stats());
                err.flush();
            }
        }, "bulkfetch-serve-stop"));
        int stubs = server.stubCount();
        if (stubs == 0) {
            // It starts all the same, as stock WireMock does, for stubs added over its admin API.
            err.println("serve: warning: " + root.resolve("mappings") + " holds no stub: every"
                    + " request is answered 404 until one is added");
        }
        // Last, so whoever waits for it has read everything before it.
        err.println("serving " + (hasMappings ? root
                : "the stubs built into the jar (no " + root + "/mappings here)") + ", "
                + stubs + (stubs == 1 ? " stub" : " stubs") + (limit == null ? ""
                : ", limited to " + limit + " (429 over it)") + ", on " + server.baseUrl()
                + " (Ctrl-C stops)");
        err.flush();
        new CountDownLatch(1).await();
        return ExitCodes.OK;
    }
}
