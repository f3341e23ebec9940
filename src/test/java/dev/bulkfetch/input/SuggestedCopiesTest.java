package dev.bulkfetch.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a probe: the command a compressed or a UTF-16 input's refusal suggests wrote its copy
 * to a fixed name ({@code zcat list.txt.gz > list.txt}), so pasting it emptied a file of that
 * name already there. The copy takes a free name now, as the advice for lines a run left
 * unread does ({@code list-rest-2.txt}).
 */
class SuggestedCopiesTest {

    private static final String LIST = "http://127.0.0.1:1/a\n";
    private static final String KEPT = "http://127.0.0.1:1/mine\n";

    @TempDir
    Path dir;

    @Test
    void aDecompressedCopyTakesNoNameAFileOrALinkHasAlready() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(LIST.getBytes(StandardCharsets.UTF_8));
        }
        Path file = Files.write(dir.resolve("list.txt.gz"), bytes.toByteArray());
        Path mine = Files.writeString(dir.resolve("list.txt"), KEPT);
        Files.createSymbolicLink(dir.resolve("list-2.txt"), dir.resolve("nowhere.txt"));

        String message = CompressedInputs.refusal(file.toString(),
                CompressedInputs.of(bytes.toByteArray(), 2)).getMessage();

        assertThat(message).endsWith("first, with zcat " + file + " > "
                + dir.resolve("list-3.txt"));
        runAsPasted(message);
        assertThat(dir.resolve("list-3.txt")).hasContent(LIST.strip());
        assertThat(mine).hasContent(KEPT.strip());
        assertThat(dir.resolve("nowhere.txt")).doesNotExist();
    }

    @Test
    void aUtf8CopyTakesNoNameAFileHasAlready() throws Exception {
        byte[] utf16 = ("\uFEFF" + LIST).getBytes(StandardCharsets.UTF_16LE);
        Path file = Files.write(dir.resolve("u16.jsonl"), utf16);
        Path mine = Files.writeString(dir.resolve("u16-utf8.jsonl"), KEPT);

        String message = ByteOrderMarks.refusal(file.toString(), utf16, 4).getMessage();

        // Still .jsonl last, which auto reads as JSON Lines.
        assertThat(message).endsWith("first, with iconv -f UTF-16 -t UTF-8 " + file + " > "
                + dir.resolve("u16-utf8-2.jsonl"));
        runAsPasted(message);
        assertThat(dir.resolve("u16-utf8-2.jsonl")).content(StandardCharsets.UTF_8)
                .contains(LIST);
        assertThat(mine).hasContent(KEPT.strip());
    }

    /** Runs the command {@code message} suggests, as a user pasting it into bash would. */
    private static void runAsPasted(String message) throws Exception {
        String command = message.substring(message.indexOf("first, with ")
                + "first, with ".length());
        Process shell = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true)
                .start();
        String said = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(shell.exitValue()).as(command + ": " + said).isZero();
    }
}
