package dev.bulkfetch.compare;

import com.sun.management.OperatingSystemMXBean;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.input.InputReader;
import dev.bulkfetch.input.InputUnavailableException;
import dev.bulkfetch.input.UrlListReader;
import dev.bulkfetch.output.JsonLinesWriter;
import dev.bulkfetch.output.Summary;
import dev.bulkfetch.output.Tally;
import dev.bulkfetch.run.BulkRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The measuring side of {@code compare}, run in a JVM of its own for each engine and
 * concurrency: a warm-up over the first items, then peaks are reset and the whole list runs
 * while CPU time, threads, heap and resident memory are measured. Records are written in full,
 * to nowhere, so their cost is counted as in a real run.
 */
public final class Probe {

    private Probe() {
    }

    /**
     * Runs {@code urls}, read as {@code format}, with {@code config} after {@code warmup}
     * items of warm-up, a URL list's lines as {@code method} requests, each request with
     * {@code headers} (a spec's own override them) and sent where {@code urlMapper} points it
     * (at the mock's port, as fetch points it); the measurement carries {@code runNumber},
     * which of compare's repeats it is.
     */
    public static Measurement measure(FetchConfig config, Path urls, InputReader.Format format,
                                      int warmup, int runNumber, String method,
                                      Map<String, String> headers,
                                      UnaryOperator<URI> urlMapper)
            throws IOException, InterruptedException {
        UrlListReader.RequestTemplate template = new UrlListReader.RequestTemplate(method,
                headers, urlMapper);
        try (BulkRun run = new BulkRun(config)) {
            if (warmup > 0) {
                try (InputReader reader = open(urls, format, config, template)) {
                    run.run(limit(reader, warmup), sink(), new Tally());
                }
            }
            resetPeaks();
            OperatingSystemMXBean os = (OperatingSystemMXBean)
                    ManagementFactory.getOperatingSystemMXBean();
            long cpuBefore = os.getProcessCpuTime();
            Summary summary;
            try (InputReader reader = open(urls, format, config, template)) {
                summary = run.run(reader, sink(), new Tally());
            }
            double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
            Map<String, Long> errors = new LinkedHashMap<>();
            summary.errors().forEach((kind, n) -> errors.put(kind.wireName(), n));
            boolean noLatency = summary.latency().count() == 0;
            return new Measurement(summary.engine(), summary.concurrency(), runNumber,
                    summary.items(), summary.ok(), errors, summary.wallSeconds(),
                    noLatency ? null : summary.latency().p50(),
                    noLatency ? null : summary.latency().p99(),
                    summary.latencySumSeconds(), cpu,
                    ManagementFactory.getThreadMXBean().getPeakThreadCount(), peakHeap(),
                    peakRss(), summary.peakInFlight());
        }
    }

    /** The measurement as the one JSON line the parent reads. */
    public static String toJson(Measurement m) throws IOException {
        return Fork.JSON.writeValueAsString(m);
    }

    /**
     * The list as {@code fetch} reads it in {@code format}, and what the engine cannot send
     * (a PATCH on the JDK's client) an input error as its line, never handed to the engine,
     * where it counted as a request in flight.
     */
    private static InputReader open(Path urls, InputReader.Format format, FetchConfig config,
                                    UrlListReader.RequestTemplate template)
            throws InputUnavailableException {
        return InputReader.open(urls.toString(), format,
                InputStream.nullInputStream(), template)
                .refusing(config.engine()::refusal);
    }

    private static JsonLinesWriter sink() throws IOException {
        return new JsonLinesWriter(OutputStream.nullOutputStream(), false);
    }

    private static <T> Iterator<T> limit(Iterator<T> items, int max) {
        return new Iterator<>() {
            private int taken;

            @Override
            public boolean hasNext() {
                return taken < max && items.hasNext();
            }

            @Override
            public T next() {
                taken++;
                return items.next();
            }
        };
    }

    private static void resetPeaks() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        threads.resetPeakThreadCount();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        // Linux: writing 5 resets the peak resident set size (VmHWM) to the current one.
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // Elsewhere the peak includes the warm-up; it is still the process's own peak.
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** VmHWM from /proc/self/status, in bytes; 0 where there is no /proc. */
    private static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
