package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.run.BulkRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The signal handling of a run, with real signals sent to this JVM while it is installed. */
class InterruptsTest {

    /**
     * After review: Ctrl-C to bulkfetch | jq kills jq at once, and the next flush of the
     * records broke the pipe before this JVM had run its handler (on a thread of its own): the
     * run ended with exit 1 and "cannot write the records" in 2 of 3 tries. A failed write to a
     * stream now waits a moment for the signal. What the run says starts a line of its own on a
     * terminal (after the ^C echo or the progress line), but leaves no blank line in a log.
     */
    @ParameterizedTest(name = "stderr a terminal: {0}")
    @ValueSource(booleans = {false, true})
    void stoppedWithinWaitsForASignalThatComesMeanwhile(boolean terminal) throws Exception {
        StringWriter said = new StringWriter();
        try (BulkRun run = new BulkRun(FetchConfig.builder().engine(EngineKind.SERIAL).build());
             Interrupts interrupts = Interrupts.install(run, Duration.ofSeconds(60),
                     new PrintWriter(said, true), terminal, false)) {
            assertThat(interrupts.stoppedWithin(Duration.ofMillis(20))).isFalse();
            CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> {
                try {
                    return interrupts.stoppedWithin(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            // Sent only while the handler is installed: it then cannot end this JVM.
            new ProcessBuilder("kill", "-TERM", Long.toString(ProcessHandle.current().pid()))
                    .start().waitFor();

            assertThat(waited.get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(interrupts.interrupted()).isTrue();
            assertThat(interrupts.exitCode()).isEqualTo(143);
            assertThat(interrupts.reason()).isEqualTo("terminated");
        }
        assertThat(said.toString()).startsWith((terminal ? "\n" : "")
                + "bulkfetch: terminated (SIGTERM): finishing the requests");
    }
    /**
     * After review: under timeout(1), one SIGTERM sometimes acted as two and quit at once, with
     * no summary: timeout sends it to the command, then to its own group, microseconds apart.
     * The same signal again within 100 ms is that copy; later, or another signal, is a second.
     */
    @Test
    void theSameSignalAgainWithinAMomentIsOneSendersCopy() {
        long t = 1_000_000_000L;
        long ms = 1_000_000L;
        assertThat(Interrupts.echo(Interrupts.Stop.TERM, t, Interrupts.Stop.TERM, t + 1))
                .isTrue();
        assertThat(Interrupts.echo(Interrupts.Stop.TERM, t, Interrupts.Stop.TERM, t + 99 * ms))
                .isTrue();
        assertThat(Interrupts.echo(Interrupts.Stop.TERM, t, Interrupts.Stop.TERM, t + 150 * ms))
                .as("a second SIGTERM a moment later").isFalse();
        assertThat(Interrupts.echo(Interrupts.Stop.TERM, t, Interrupts.Stop.INT, t + 1))
                .as("Ctrl-C after a SIGTERM").isFalse();
    }
}
