package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.FetchConfig;
import dev.bulkfetch.output.Tally;
import dev.bulkfetch.run.BulkRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * From review: a run stopped by a signal whose file of records then filled up in the grace
 * ended with exit 1, where a stopped run ends with the signal's code, as the README's exit
 * codes say ("except with one of those signals"): only a stream's broken pipe counted as
 * stopped by the signal.
 */
class SignalThenFailedWriteTest {

    @TempDir
    Path dir;

    @Test
    void aFileThatFillsUpAfterASignalEndsWithTheSignalsCode() throws Exception {
        Path output = dir.resolve("records.jsonl");

        String said = endAfterSigterm(new RecordsFailed(
                new IOException("No space left on device"), output, false, false, true));

        assertThat(said).contains("cannot write " + output)
                .contains("bulkfetch: terminated; 0 records written, 0 lost: writing them to "
                        + output + " failed");
    }

    /** A body that cannot be saved in the grace after a signal: the signal's code too. */
    @Test
    void aBodyThatCannotBeSavedAfterASignalEndsWithTheSignalsCode() throws Exception {
        Path bodies = dir.resolve("bodies");

        String said = endAfterSigterm(RecordsFailed.bodyNotSaved(new IOException("cannot save"
                + " the body of item 1 to " + bodies.resolve("1.body") + ": File too large",
                new IOException("File too large")), bodies, dir.resolve("out.jsonl"), true));

        assertThat(said).contains("cannot save the body of item 1")
                .contains("bulkfetch: terminated; 0 records written: saving a body to "
                        + bodies + " failed (File too large)");
    }

    /**
     * What a run reports that a SIGTERM stopped and that then {@code failed}, its exit code
     * checked to be the signal's: sent only while the handler is installed, it then cannot
     * end this JVM.
     */
    private static String endAfterSigterm(RecordsFailed failed) throws Exception {
        StringWriter said = new StringWriter();
        PrintWriter err = new PrintWriter(said, true);
        try (BulkRun run = new BulkRun(FetchConfig.builder().engine(EngineKind.SERIAL).build());
             Interrupts interrupts = Interrupts.install(run, Duration.ofSeconds(60), err, false,
                     true)) {
            new ProcessBuilder("kill", "-TERM", Long.toString(ProcessHandle.current().pid()))
                    .start().waitFor();
            assertThat(interrupts.stoppedWithin(Duration.ofSeconds(30))).isTrue();
            FetchReport report = new FetchReport(err, null, "list.txt", true, null, false, true,
                    null);

            int code = report.end(run.summary(new Tally()), null, interrupts, failed, null);

            assertThat(code).as(said.toString()).isEqualTo(143);
        }
        return said.toString();
    }
}
