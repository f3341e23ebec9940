package dev.bulkfetch.cli;

import static dev.bulkfetch.cli.Options.flag;
import static dev.bulkfetch.cli.Options.option;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.compare.Measurement;
import dev.bulkfetch.compare.Probe;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.mock.MockServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** The child side of {@code compare}: one measured run, its figures as one JSON line. */
final class ProbeCommand implements Callable<Integer> {

    final CommandSpec spec;
    Path input;
    String engine;
    int concurrency;
    int warmup;
    int runNumber = 1;
    // The mock's port when compare runs one (URLs on 127.0.0.1:8089 go to it), else none.
    Integer mockPort;
    boolean headersOnStdin;
    String method = "GET";
    String inputFormat = "auto";
    final TrustOptions trust = new TrustOptions();
    final RequestOptions requestOptions = new RequestOptions();
    final LimitOptions limitOptions = new LimitOptions();

    ProbeCommand() {
        spec = declare();
    }

    /** The command's model, its options bound to this object's fields. */
    private CommandSpec declare() {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("probe");
        spec.usageMessage().hidden(true)
                .description("One measured run for compare (internal): prints a JSON measurement.");
        Options options = new Options(spec)
                .add(PositionalParamSpec.builder().index("0").arity("1").required(true)
                        .paramLabel("URLS").type(Path.class),
                        () -> input, v -> input = v)
                .add(option("-e", "--engine").paramLabel("NAME").type(String.class).required(true),
                        () -> engine, v -> engine = v)
                .add(option("-c", "--concurrency").paramLabel("N").type(int.class).required(true),
                        () -> concurrency, v -> concurrency = v)
                .add(option("--warmup").paramLabel("N").type(int.class).defaultValue("0"),
                        () -> warmup, v -> warmup = v)
                // Which of compare's runs this is (compare's --repeat is how many runs), for
                // the measurement to carry back.
                .add(option("--run-number").paramLabel("N").type(int.class).defaultValue("1"),
                        () -> runNumber, v -> runNumber = v)
                // compare's mock is in compare's JVM: its port, for this run to point the
                // list's mock URLs at as fetch --mock does, at request time (a rewritten copy
                // of the list changed the lines it could not parse, and specs' bodies).
                .add(option("--mock-port").paramLabel("P").type(Integer.class),
                        () -> mockPort, v -> mockPort = v)
                // compare's -H, a line each on stdin: a token on the command line would show
                // in any user's ps.
                .add(flag("--headers-on-stdin"), () -> headersOnStdin, v -> headersOnStdin = v)
                // compare's -X, checked there, in upper case.
                .add(option("--method").paramLabel("METHOD").type(String.class)
                        .defaultValue("GET"), () -> method, v -> method = v)
                // compare's --input-format, when the file this run reads has no name for it.
                .add(Options.inputFormat(), () -> inputFormat, v -> inputFormat = v)
                .helpAndVersion(new BulkfetchCommand.Version());
        trust.addTo(options);
        requestOptions.addTo(options);
        limitOptions.addTo(options);
        return spec;
    }

    @Override
    public Integer call() throws Exception {
        // A stop signal often reaches compare's whole process group: a terminal's Ctrl-C or
        // hang-up, timeout(1)'s SIGTERM, systemd stopping the control group. compare stops this
        // run itself (it kills it, as its shutdown hooks do), then reports the runs that
        // finished: the run must not end first, on its own, as a failed one.
        for (Interrupts.Stop stop : Interrupts.Stop.values()) {
            sun.misc.Signal.handle(stop.signal, sun.misc.SignalHandler.SIG_IGN);
        }
        // Deaf to those, it would outlive a compare killed outright (SIGKILL, the OOM killer)
        // and go on loading the server alone, for the whole list: it ends with compare.
        ProcessHandle.current().parent().ifPresent(compare -> compare.onExit()
                .thenRun(() -> Runtime.getRuntime().halt(ExitCodes.INTERRUPTED)));
        FetchConfig config = limitOptions.applyTo(requestOptions.applyTo(trust.applyTo(
                FetchConfig.builder(), spec).engine(EngineKind.fromName(engine))
                .concurrency(concurrency))).build();
        Map<String, String> headers = headersOnStdin ? Options.headerMap(spec.commandLine(),
                new String(System.in.readAllBytes(), StandardCharsets.UTF_8).lines().toList())
                : Map.of();
        Measurement m = Probe.measure(config, input,
                Options.inputFormat(spec.commandLine(), inputFormat), warmup, runNumber, method,
                headers,
                mockPort == null ? UnaryOperator.identity()
                        : url -> MockServer.redirect(url, mockPort));
        spec.commandLine().getOut().println(Probe.toJson(m));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
