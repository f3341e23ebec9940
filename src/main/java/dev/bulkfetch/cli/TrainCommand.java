package dev.bulkfetch.cli;

import static dev.bulkfetch.cli.Options.option;

import com.sun.net.httpserver.HttpServer;
import dev.bulkfetch.EngineKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A short, representative run for the launcher to record the JVM's start-up cache from (the
 * JDK 25 ahead-of-time cache): one engine (the launcher keeps a cache per engine) fetches a few
 * hundred URLs from a URL list through the real command line, once with the summary on stderr
 * and once with it as JSON, so the classes and methods a user's run needs are the ones cached.
 *
 * <p>Everything cached is loaded at every start, needed or not (about 10 KiB of cache and a
 * share of the JVM's start per class), so the run is kept to the common path: no JSON Lines
 * specs (Jackson's databind alone would add some 370 classes to every start; a backfill from
 * specs runs for minutes and does not notice), no rate limit, and the JDK's own small HTTP
 * server rather than WireMock.
 */
final class TrainCommand implements Callable<Integer> {

    private static final int URLS = 300;

    final CommandSpec spec;
    String engine = EngineKind.EVENT_LOOP.cliName();

    TrainCommand() {
        spec = CommandSpec.wrapWithoutInspection(this).name("train");
        spec.usageMessage().hidden(true).description(
                "A short run that the launcher records the start-up cache from (internal).");
        new Options(spec).add(option("-e", "--engine").paramLabel("NAME").type(String.class)
                        .defaultValue(engine).description("The engine to train."),
                () -> engine, v -> engine = v)
                .helpAndVersion(new BulkfetchCommand.Version());
    }

    @Override
    public Integer call() throws IOException {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(threads);
        AtomicInteger answered = new AtomicInteger();
        server.createContext("/", exchange -> {
            byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            // Every other body chunked (length 0 here), as many servers send theirs: the
            // JDK's engines then find the classes that read one in the cache.
            exchange.sendResponseHeaders(200,
                    answered.incrementAndGet() % 2 == 0 ? 0 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        // In java.io.tmpdir as it is now, not as the JDK read it once per JVM: a test's own.
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
                "bulkfetch-train");
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/item/";
            Path urls = Files.writeString(dir.resolve("urls.txt"), IntStream.rangeClosed(1, URLS)
                    .mapToObj(i -> base + i).collect(Collectors.joining("\n", "", "\n")));
            Path out = dir.resolve("out.jsonl");
            int first = fetch(urls, engine, "-o", out.toString());
            if (ExitCodes.stoppedBySignal(first)) {
                return first;  // stopped by Ctrl-C, SIGTERM or SIGHUP: no second run
            }
            int second = fetch(urls, engine, "-q", "--ordered", "--summary-json",
                    dir.resolve("summary.json").toString());
            return first == ExitCodes.OK ? second : first;
        } finally {
            server.stop(0);
            threads.shutdownNow();
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static int fetch(Path input, String engine, String... extra) {
        String[] args = Stream.concat(Stream.of("fetch", input.toString(), "-e", engine,
                "-c", serial(engine) ? "1" : "32"), Stream.of(extra)).toArray(String[]::new);
        return Main.run(args, InputStream.nullInputStream(), OutputStream.nullOutputStream(),
                new PrintWriter(Writer.nullWriter()));
    }

    /** The serial engine sends one request at a time, and fetch refuses a -c other than 1. */
    private static boolean serial(String engine) {
        try {
            return EngineKind.fromName(engine) == EngineKind.SERIAL;
        } catch (IllegalArgumentException unknown) {
            return false;  // fetch refuses it, as a usage error
        }
    }
}
