package dev.bulkfetch.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressedInputsTest {

    private static final String LIST = "http://127.0.0.1:1/a\n";

    @TempDir
    Path dir;

    /**
     * The command a compressed file's refusal suggests, run as a user would paste it, writes
     * a decompressed copy beside the file that fetch, compare and a resume can all read,
     * and leaves the file itself as it was, whatever its name: a gzip named urls.txt would
     * have been emptied by the shell before zcat read it, had the copy taken its name.
     */
    @Test
    void theSuggestedCommandWritesADecompressedCopyBesideTheFileAndKeepsTheFile()
            throws Exception {
        Map<String, String> copies = Map.of(
                "list.txt.gz", "list.txt",
                "specs.jsonl.gz", "specs.jsonl",
                "list.gz", "list.txt",
                "list", "list-decompressed.txt",
                "urls.txt", "urls-decompressed.txt",
                "specs.jsonl", "specs-decompressed.jsonl",
                "Ann's list.gz", "Ann's list.txt");
        byte[] gzipped = gzip(LIST);
        for (Map.Entry<String, String> names : copies.entrySet()) {
            Path sub = Files.createDirectories(dir.resolve("case" + names.getKey().hashCode()));
            Path file = Files.write(sub.resolve(names.getKey()), gzipped);
            String message = CompressedInputs.refusal(file.toString(),
                    CompressedInputs.of(gzipped, 2)).getMessage();
            String command = message.substring(message.indexOf("first, with ")
                    + "first, with ".length());

            Process shell = new ProcessBuilder("bash", "-c", command)
                    .redirectErrorStream(true).start();
            String said = new String(shell.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8);
            assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();

            assertThat(shell.exitValue()).as(command + ": " + said).isZero();
            assertThat(sub.resolve(names.getValue())).as(command).hasContent(LIST.strip());
            assertThat(Files.readAllBytes(file)).as("the file itself, kept").isEqualTo(gzipped);
        }
    }

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
