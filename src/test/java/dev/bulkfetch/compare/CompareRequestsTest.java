package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.sun.net.httpserver.HttpServer;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestCertificates;
import dev.bulkfetch.testing.TestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After an exploratory test: compare took no -H, -k or --cacert, so an API that wants a token,
 * or a server a private CA signs, could be fetched but not compared. Each run now sends what
 * fetch would, and gets its headers on its stdin, never on its command line.
 */
class CompareRequestsTest {

    private static final String TOKEN = "Bearer s3cret-token";

    @TempDir
    Path dir;

    /** Every request of every run, warm-ups too, carries the -H headers; none goes without. */
    @Test
    void theHeadersGoWithEveryRequestOfEveryRun() throws Exception {
        AtomicInteger with = new AtomicInteger();
        AtomicInteger without = new AtomicInteger();

        compareThreeItems(exchange -> {
            boolean authorized = TOKEN.equals(exchange.getRequestHeaders()
                    .getFirst("Authorization"))
                    && "7".equals(exchange.getRequestHeaders().getFirst("X-Tenant"));
            (authorized ? with : without).incrementAndGet();
            exchange.sendResponseHeaders(authorized ? 200 : 401, -1);
            exchange.close();
        }, "--engines", "event-loop,serial", "-H", "Authorization: " + TOKEN, "--header",
                "X-Tenant: 7");

        assertThat(without.get()).isZero();
        assertThat(with.get()).as("two runs of 3 items, each after 2 warm-up items")
                .isEqualTo(10);
        assertThat(Files.readString(dir.resolve("report").resolve("runs.json")))
                .doesNotContain("s3cret");
    }

    /**
     * Runs compare at -c 2 with a warm-up of 2 over a list of three URLs of a server that
     * answers with {@code handler}, and {@code options}; every run must fetch the three ok.
     * The report goes into {@code report} under the test's folder.
     */
    private Cli.Result compareThreeItems(com.sun.net.httpserver.HttpHandler handler,
                                         String... options) throws Exception {
        return compareThreeItems("list.txt", base -> base + "/a\n" + base + "/b\n" + base
                + "/c\n", handler, options);
    }

    /**
     * As {@link #compareThreeItems(com.sun.net.httpserver.HttpHandler, String...)}, the list
     * a file named {@code name} that {@code list} writes from the server's base URL.
     */
    private Cli.Result compareThreeItems(String name,
                                         java.util.function.UnaryOperator<String> list,
                                         com.sun.net.httpserver.HttpHandler handler,
                                         String... options) throws Exception {
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", handler);
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Path listed = TestServer.write(dir.resolve(name), list.apply(base));
            Path report = dir.resolve("report");
            List<String> args = new java.util.ArrayList<>(List.of("compare", listed.toString(),
                    "-c", "2", "--warmup", "2", "--report", report.toString()));
            args.addAll(List.of(options));

            Cli.Result result = Cli.run(args.toArray(String[]::new));

            assertThat(result.exitCode()).as(result.err() + result.out()).isZero();
            String runs = Files.readString(report.resolve("runs.json"));
            for (JsonNode run : Records.json(runs).get("runs")) {
                assertThat(run.get("ok").asLong()).as(run.toString()).isEqualTo(3);
            }
            return result;
        } finally {
            server.stop(0);
        }
    }

    /**
     * The headers reach a run on its stdin, a line each; its command line, which ps shows,
     * and the log a failed run keeps, which repeats it, say only that they do.
     */
    @Test
    void theHeadersGoOnTheRunsStdinNotItsCommandLineNorItsLog() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", TOKEN);
        headers.put("X-Tenant", "7");

        Fork.Failed failed = forkWithAJavaThatExits(dir.resolve("list.txt"),
                new Comparison.Requests(headers, null));

        assertThat(Files.readString(dir.resolve("stdin.txt"))).isEqualTo("Authorization: "
                + TOKEN + "\nX-Tenant: 7\n");
        assertThat(Files.readAllLines(dir.resolve("args.txt"))).contains("--headers-on-stdin")
                .noneMatch(arg -> arg.contains("s3cret"));
        assertThat(Files.readString(failed.log())).contains("--headers-on-stdin")
                .doesNotContain("s3cret");
    }

    /**
     * Forks a serial run of {@code list} with {@code requests} through a "java" that writes
     * its arguments a line each to args.txt and its stdin to stdin.txt, then exits 3.
     */
    private Fork.Failed forkWithAJavaThatExits(Path list, Comparison.Requests requests)
            throws Exception {
        Path java = dir.resolve("java");
        Files.writeString(java, "#!/bin/bash\nprintf '%s\\n' \"$@\" > " + dir.resolve("args.txt")
                + "\ncat > " + dir.resolve("stdin.txt") + "\nexit 3\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        FetchConfig config = FetchConfig.builder().engine(EngineKind.SERIAL).build();
        Comparison.Plan plan = new Comparison.Plan(list, List.of(EngineKind.SERIAL),
                List.of(1), 1, 0, null, config, null, requests);

        Fork.Failed failed = catchThrowableOfType(Fork.Failed.class, () -> Fork.run(java,
                config, plan, 1, new RunFiles(dir.resolve("runs.log"), () -> { })));

        assertThat(failed).isNotNull();
        return failed;
    }

    /**
     * compare took no --input-format, so specs in a file not named .jsonl, or from a pipe
     * (<(...), whose name is a number), could be fetched but not compared: each line was an
     * input error. Each run, warm-ups too, and the warning about requests sent more than once
     * read them as specs.
     */
    @Test
    void specsInAFileNotNamedForThemAreReadAsTheInputFormatSays() throws Exception {
        Map<String, AtomicInteger> methods = new java.util.concurrent.ConcurrentHashMap<>();

        Cli.Result result = compareThreeItems("specs.txt", base -> "{\"url\": \"" + base
                        + "/a\", \"method\": \"POST\", \"body\": \"x\"}\n{\"url\": \"" + base
                        + "/b\", \"method\": \"POST\", \"body\": \"y\"}\n{\"url\": \"" + base
                        + "/c\", \"method\": \"POST\", \"body\": \"z\"}\n",
                exchange -> {
                    exchange.getRequestBody().readAllBytes();
                    methods.computeIfAbsent(exchange.getRequestMethod(),
                            m -> new AtomicInteger()).incrementAndGet();
                    exchange.sendResponseHeaders(201, -1);
                    exchange.close();
                }, "--engines", "event-loop,threads", "--input-format", "JSONL");

        assertThat(methods).containsOnlyKeys("POST");
        assertThat(methods.get("POST").get())
                .as("two runs of 3 items, each after 2 warm-up items").isEqualTo(10);
        assertThat(result.err()).contains("compare: 3 requests in the list are not idempotent"
                + " (POST), yet are sent more than once: by every run (2), and 2 of them again"
                + " by each run's warm-up (--warmup 2), up to 4 times in all");
    }

    /**
     * A run is told the format only when the name of the file it reads would not say it: a
     * .jsonl file read as URLs, a .txt one read as specs; never when the name says it.
     */
    @Test
    void aRunIsToldTheFormatWhenTheNameOfItsFileWouldNotSayIt() throws Exception {
        record Case(String file, dev.bulkfetch.input.InputReader.Format format,
                    List<String> told) { }
        var urls = dev.bulkfetch.input.InputReader.Format.URLS;
        var jsonl = dev.bulkfetch.input.InputReader.Format.JSONL;
        var auto = dev.bulkfetch.input.InputReader.Format.AUTO;
        for (Case c : List.of(new Case("specs.jsonl", urls, List.of("--input-format", "urls")),
                new Case("63", jsonl, List.of("--input-format", "jsonl")),
                new Case("specs.ndjson", jsonl, List.of()), new Case("list.txt", urls, List.of()),
                new Case("specs.jsonl", auto, List.of()))) {
            forkWithAJavaThatExits(dir.resolve(c.file()),
                    new Comparison.Requests(c.format(), "GET", Map.of(), null));

            List<String> args = Files.readAllLines(dir.resolve("args.txt"));
            int at = args.indexOf("--input-format");
            assertThat(at < 0 ? List.of() : args.subList(at, at + 2)).as(c.toString())
                    .isEqualTo(c.told());
        }
    }

    /**
     * A format that is none, or specs asked of the built-in demo list (found on review: its
     * 2,000 URLs were each an input error, said after every run), is a usage error.
     */
    @Test
    void anInputFormatThatIsNoneOrThatTheDemoListIsNotIsAUsageError() throws Exception {
        Path list = TestServer.write(dir.resolve("list.txt"), "http://127.0.0.1:1/a\n");

        Cli.Result none = Cli.run("compare", list.toString(), "--input-format", "csv");
        Cli.Result demo = Cli.run("compare", "--input-format", "jsonl");

        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).startsWith("Invalid value for option '--input-format':"
                + " unknown input format 'csv': expected urls, jsonl or auto\n");
        assertThat(demo.exitCode()).isEqualTo(2);
        assertThat(demo.err()).startsWith("Invalid value for option '--input-format': jsonl,"
                + " but with no URLS compare runs the built-in demo, a URL list: give your"
                + " specs as URLS\n");
        assertThat(none.out() + demo.out()).isEmpty();
    }

    /** A server whose certificate no authority signed: -k accepts it, --cacert trusts it. */
    @Test
    void insecureAndCacertReachEveryRun() throws Exception {
        TestCertificates certificates = new TestCertificates(dir);
        Path pem = certificates.selfSigned("server", "ip:127.0.0.1");
        WireMockServer server = certificates.server("server");
        try {
            Path list = TestServer.write(dir.resolve("tls.txt"),
                    "https://127.0.0.1:" + server.httpsPort() + "/a\n"
                            + "https://127.0.0.1:" + server.httpsPort() + "/b\n");

            for (List<String> trust : List.of(List.of("-k"), List.of("--cacert", pem.toString()),
                    List.<String>of())) {
                Path report = Files.createTempDirectory(dir, "report");
                List<String> args = new java.util.ArrayList<>(List.of("compare",
                        list.toString(), "--engines", "event-loop,threads", "-c", "2",
                        "--warmup", "0", "--report", report.toString()));
                args.addAll(trust);

                Cli.Result result = Cli.run(args.toArray(String[]::new));

                JsonNode runs = Records.json(Files.readString(report.resolve("runs.json")))
                        .get("runs");
                assertThat(runs).as(result.err()).hasSize(2);
                for (JsonNode run : runs) {
                    // Without either, every TLS handshake is refused: the guard that the
                    // others' runs were told.
                    assertThat(run.get("ok").asLong()).as("%s: %s", trust, run)
                            .isEqualTo(trust.isEmpty() ? 0 : 2);
                }
                assertThat(result.exitCode()).as(result.out()).isEqualTo(trust.isEmpty() ? 1 : 0);
            }
        } finally {
            server.stop();
        }
    }

    /**
     * compare took no -X, so a URL list could be fetched with DELETE or HEAD but compared only
     * as GETs. Every request of every run, warm-ups too, now goes with the method.
     */
    @Test
    void theMethodGoesWithEveryRequestOfEveryRun() throws Exception {
        Map<String, AtomicInteger> methods = new java.util.concurrent.ConcurrentHashMap<>();

        compareThreeItems(exchange -> {
            methods.computeIfAbsent(exchange.getRequestMethod(), m -> new AtomicInteger())
                    .incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        }, "--engines", "event-loop,threads", "-X", "delete");

        assertThat(methods).containsOnlyKeys("DELETE");
        assertThat(methods.get("DELETE").get())
                .as("two runs of 3 items, each after 2 warm-up items").isEqualTo(10);
    }

    @Test
    void aMethodAnEngineCannotSendIsRefusedNamingTheEngines() throws Exception {
        Path list = TestServer.write(dir.resolve("list.txt"), "http://127.0.0.1:1/a\n");

        Cli.Result patch = Cli.run("compare", list.toString(), "-X", "PATCH");
        Cli.Result serialOnly = Cli.run("compare", list.toString(), "--engines", "serial",
                "-X", "patch");
        Cli.Result notAMethod = Cli.run("compare", list.toString(), "-X", "GET /");

        assertThat(patch.exitCode()).isEqualTo(2);
        assertThat(patch.err()).startsWith("Invalid value for option '--method': the threads,"
                + " virtual, serial engines cannot send PATCH (the JDK's HttpURLConnection sends"
                + " only GET, POST, HEAD, OPTIONS, PUT, DELETE and TRACE); compare --engines"
                + " event-loop\n");
        assertThat(serialOnly.err()).startsWith("Invalid value for option '--method': the"
                + " serial engine cannot send PATCH (");
        assertThat(notAMethod.exitCode()).isEqualTo(2);
        assertThat(notAMethod.err()).startsWith("Invalid value for option '--method': ");
        for (Cli.Result result : List.of(patch, serialOnly, notAMethod)) {
            assertThat(result.out()).isEmpty();
        }
    }

    @Test
    void anExpectHeaderIsRefusedNamingTheEnginesThatCannotSendIt() throws Exception {
        Path list = TestServer.write(dir.resolve("list.txt"), "http://127.0.0.1:1/a\n");

        Cli.Result result = Cli.run("compare", list.toString(), "-H", "Expect: 100-continue");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("Invalid value for option '--header': the threads,"
                + " virtual, serial engines cannot send an Expect header (the JDK's"
                + " HttpURLConnection waits up to 5 s for each 100 Continue and cannot give a"
                + " 417 as a status); compare --engines event-loop\n");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void insecureBesideCacertIsAUsageError() throws Exception {
        Path list = TestServer.write(dir.resolve("list.txt"), "http://127.0.0.1:1/a\n");

        Cli.Result both = Cli.run("compare", list.toString(), "-k", "--cacert",
                dir.resolve("any.pem").toString());

        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("'--cacert': not with --insecure");
        assertThat(both.out()).isEmpty();
    }

    /**
     * A plan whose base trusts certificates that no file gives the runs is refused: each run
     * is a JVM of its own, which read none, and failed every handshake (after a review).
     */
    @Test
    void aPlanWhoseCertificatesTheRunsCannotReadAgainIsRefused() throws Exception {
        Path pem = new TestCertificates(dir).selfSigned("server", "ip:127.0.0.1");
        FetchConfig trusting = FetchConfig.builder().trustedCertificates(pem).build();

        IllegalArgumentException refused = catchThrowableOfType(
                IllegalArgumentException.class, () -> new Comparison.Plan(dir.resolve("l.txt"),
                        List.of(EngineKind.SERIAL), List.of(1), 1, 0, null, trusting, null,
                        Comparison.Requests.AS_LISTED));

        assertThat(refused).hasMessageContaining("base trusts certificates the runs cannot"
                + " read again");
        assertThat(new Comparison.Plan(dir.resolve("l.txt"), List.of(EngineKind.SERIAL),
                List.of(1), 1, 0, null, trusting, null,
                new Comparison.Requests(Map.of(), pem)).requests().cacert()).isEqualTo(pem);
    }

    /** A plan in a log or a debugger shows the headers' names, never their values. */
    @Test
    void theRequestsShowTheirHeadersNamesNotTheirValues() {
        Comparison.Requests requests = new Comparison.Requests(
                Map.of("X-Api-Key", "s3cret-key"), null);

        assertThat(requests.toString()).isEqualTo(
                "Requests[format=auto, method=GET, headers={X-Api-Key=xxxxx}, cacert=null]");
    }
}
