package dev.bulkfetch.cli;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.compare.Measurement;
import dev.bulkfetch.compare.Probe;
import dev.bulkfetch.EngineKind;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The child side of {@code compare}: one measured run, its figures as one JSON line. */
@Command(name = "probe", hidden = true,
        description = "One measured run for compare (internal): prints a JSON measurement.")
final class ProbeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URLS")
    Path input;

    @Option(names = {"-e", "--engine"}, required = true)
    String engine;

    @Option(names = {"-c", "--concurrency"}, required = true)
    int concurrency;

    @Option(names = "--warmup", defaultValue = "0")
    int warmup;

    @Option(names = "--repeat", defaultValue = "1")
    int repeat;

    @Mixin
    EngineOptionsMixin engineOptions;

    @Mixin
    LimitOptionsMixin limitOptions;

    @Override
    public Integer call() throws Exception {
        FetchConfig config = limitOptions.applyTo(engineOptions.applyTo(FetchConfig.builder()
                .engine(EngineKind.fromName(engine)).concurrency(concurrency))).build();
        Measurement m = Probe.measure(config, input, warmup, repeat);
        spec.commandLine().getOut().println(Probe.toJson(m));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
