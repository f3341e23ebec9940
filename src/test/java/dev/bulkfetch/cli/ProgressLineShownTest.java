package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Records;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress line of a run into {@code -o FILE}, whose input's lines its identity counted:
 * it says the line reached of them and the time left. The child is told its stderr, a file
 * here, is a terminal, and its last item is held by the server until the line has said both.
 */
class ProgressLineShownTest {

    @TempDir
    Path dir;

    @Test
    void aRunIntoAFileSaysTheLineReachedOfTheInputsLinesAndTheTimeLeft() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/held")) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        Process child = null;
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            // Four lines, a blank one among them: lines, not items, as an item's seq counts.
            Path list = Files.writeString(dir.resolve("list.txt"),
                    base + "/a\n\n" + base + "/b\n" + base + "/held\n");
            Path out = dir.resolve("out.jsonl");
            Path err = dir.resolve("err.txt");
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.bulkfetch.cli.Main",
                    "fetch", list.toString(), "-c", "1", "-o", out.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile());
            builder.environment().put("BULKFETCH_STDERR_TTY", "1");
            child = builder.start();

            // The held item is the last line: read, in flight, and nothing left past it.
            boolean said = Await.until(() -> Files.readString(err, StandardCharsets.UTF_8)
                    .matches("(?s).*2 done  \\d+/s  1 in flight  0 errors  line 4/4  ETA \\d+s.*"),
                    child, Duration.ofSeconds(30));
            release.countDown();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(said).as(Files.readString(err)).isTrue();
            assertThat(child.exitValue()).isZero();
            assertThat(Records.read(out)).hasSize(3);
        } finally {
            release.countDown();
            if (child != null) {
                child.destroyForcibly();
            }
            server.stop(0);
        }
    }
}
