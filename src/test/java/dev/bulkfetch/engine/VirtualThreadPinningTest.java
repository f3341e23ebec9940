package dev.bulkfetch.engine;

import dev.bulkfetch.EngineKind;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.FetchRequest;
import dev.bulkfetch.testing.TestServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The virtual engine's client blocks without pinning its carrier thread, checked with the JFR
 * event {@code jdk.VirtualThreadPinned}. A virtual thread that blocks inside a class initializer
 * (which still pins) is the control: it proves the recording would have seen pinning.
 *
 * <p>The first request of a JVM is sent before recording: while the JDK's HTTP classes are
 * initialised, a virtual thread that waits for another thread's class initialiser is pinned
 * (JDK 25 still pins there), once per class and JVM. The claim tested is the steady state.
 */
class VirtualThreadPinningTest {

    @TempDir
    Path dir;

    /** Blocks while the class is initialised: pins the virtual thread that loads it. */
    static final class SlowToInitialise {
        static final long LOADED;

        static {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LOADED = System.nanoTime();
        }
    }

    @Test
    void theVirtualEngineDoesNotPinCarriersWhileRequestsBlock() throws Exception {
        Path file = dir.resolve("pinning.jfr");
        try (TestServer server = new TestServer();
             Engine engine = Engine.create(EngineKind.VIRTUAL, EngineOptions.defaults(32));
             Recording recording = new Recording()) {
            // Each path once before recording: a thread that waits on another's class
            // initialiser is pinned, and classes are loaded by whichever test comes first.
            for (String path : List.of("/ok/0", "/held/0", "/redirect/0")) {
                assertThat(engine.send(FetchRequest.get(1, URI.create(server.url(path)))).get()
                        .status()).isEqualTo(200);
            }
            recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO)
                    .withStackTrace();
            recording.start();

            Thread.ofVirtual().name("pin-control").start(() -> {
                long ignored = SlowToInitialise.LOADED;
            }).join();
            List<CompletableFuture<Outcome>> sent = IntStream.rangeClosed(1, 32)
                    .mapToObj(n -> engine.send(FetchRequest.get(n, URI.create(
                            server.url(n % 2 == 0 ? "/held/" + n : "/redirect/" + n)))))
                    .toList();
            for (CompletableFuture<Outcome> outcome : sent) {
                assertThat(outcome.get().status()).isEqualTo(200);
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> pinned = RecordingFile.readAllEvents(file);
        assertThat(pinned).as("the control must pin")
                .anyMatch(e -> threadName(e).equals("pin-control"));
        assertThat(pinned).as("engine threads pinned")
                .noneMatch(e -> threadName(e).startsWith("bulkfetch-virtual-"));
    }

    private static String threadName(RecordedEvent event) {
        return event.getThread() == null ? "" : String.valueOf(event.getThread().getJavaName());
    }
}
