package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.bulkfetch.testing.Await;
import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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

    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean holding = true;
    private HttpServer server;
    private Process child;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            if (holding && exchange.getRequestURI().getPath().equals("/held")) {
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
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (child != null) {
            child.destroyForcibly();
        }
        server.stop(0);
    }

    @Test
    void aRunIntoAFileSaysTheLineReachedOfTheInputsLinesAndTheTimeLeft() throws Exception {
        String base = base();
        // Four lines, a blank one among them: lines, not items, as an item's seq counts.
        Path list = Files.writeString(dir.resolve("list.txt"),
                base + "/a\n\n" + base + "/b\n" + base + "/held\n");
        Path out = dir.resolve("out.jsonl");

        // The held item is the last line: read, in flight, and nothing left past it.
        runUntilSaid(list, out,
                "(?s).*2 done  \\d+/s  1 in flight  0 errors  line 4/4  ETA \\d+s.*",
                "-c", "1");

        assertThat(Records.read(out)).hasSize(3);
    }

    /**
     * A resume's line reached passes its kept items as they are skipped: the reader passes
     * over them unseen, and the line reached is the input's last once it has no more (the
     * first item held, the three after it kept, the line says 4 of 4, not 1).
     */
    @Test
    void aResumesLineReachedPassesTheKeptItems() throws Exception {
        String base = base();
        Path list = Files.writeString(dir.resolve("list.txt"),
                base + "/held\n" + base + "/a\n" + base + "/b\n" + base + "/c\n");
        Path out = dir.resolve("out.jsonl");
        holding = false;
        assertThat(Cli.run("fetch", list.toString(), "-o", out.toString(), "-q").exitCode())
                .isZero();
        holding = true;
        Files.write(out, Files.readAllLines(out).stream()
                .filter(line -> Records.json(line).get("seq").asLong() != 1).toList());

        // -c 2: a permit is free past the held item, so the run reads on, to the end.
        runUntilSaid(list, out, "(?s).*0 done  0/s  1 in flight  0 errors  line 4/4.*",
                "--resume", "-c", "2");

        assertThat(Records.read(out)).hasSize(4);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Runs fetch of {@code list} into {@code out} with a terminal's progress line until its
     * stderr matches {@code pattern}, then releases the held item; the run must end ok.
     */
    private void runUntilSaid(Path list, Path out, String pattern, String... more)
            throws Exception {
        Path err = dir.resolve("err.txt");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.bulkfetch.cli.Main",
                "fetch", list.toString(), "-o", out.toString()));
        command.addAll(List.of(more));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        builder.environment().put("BULKFETCH_STDERR_TTY", "1");
        child = builder.start();

        boolean said = Await.until(() -> Files.readString(err, StandardCharsets.UTF_8)
                .matches(pattern), child, Duration.ofSeconds(30));
        release.countDown();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        String text = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(said).as(text).isTrue();
        assertThat(child.exitValue()).as(text).isZero();
    }
}
