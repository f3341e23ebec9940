package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.EngineKind;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forked runs measure each engine's own process: threads cost threads, the loop does not. */
class ForkedMeasurementTest {

    @TempDir
    Path dir;

    @Test
    void threadsAtC256ReportMorePeakThreadsThanTheEventLoop() throws Exception {
        try (TestServer server = new TestServer()) {
            // The server holds the first requests until 256 are in flight, so the peak does not
            // depend on how fast this machine starts 256 threads or connections.
            Path list = server.urlList(dir, "/gather/256/", 512);
            Measurement threads = Fork.run(config(EngineKind.THREADS), list, 0, 1,
                    dir.resolve("threads.log"));
            server.counter().reset();
            Measurement loop = Fork.run(config(EngineKind.EVENT_LOOP), list, 0, 1,
                    dir.resolve("loop.log"));

            assertThat(threads.ok()).isEqualTo(512);
            assertThat(loop.ok()).isEqualTo(512);
            assertThat(threads.peakInFlight()).isEqualTo(256);
            assertThat(loop.peakInFlight()).isEqualTo(256);
            assertThat(threads.peakThreads()).isGreaterThan(256);
            assertThat(loop.peakThreads()).isLessThan(64);
        }
    }

    private static FetchConfig config(EngineKind engine) {
        return FetchConfig.builder().engine(engine).concurrency(256).build();
    }
}
