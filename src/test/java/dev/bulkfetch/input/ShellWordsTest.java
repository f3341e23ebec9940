package dev.bulkfetch.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellWordsTest {

    @TempDir
    Path dir;

    /**
     * A file named as the commands bulkfetch suggests name it reaches the command as that file,
     * whatever its name: a space, a quote, or a leading dash, which a command read as an option
     * ("head: invalid option") however it was quoted.
     */
    @Test
    void aFileIsOneOperandOfTheCommandWhateverItsName() throws Exception {
        for (String name : new String[] {"plain.txt", "Ann's list.txt", "-n 2.txt", "$HOME *"}) {
            Path file = Files.writeString(dir.resolve(name), "the line\n");
            Process head = new ProcessBuilder("bash", "-c",
                    "head -n 1 " + ShellWords.file(dir.relativize(file)))
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String said = new String(head.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8);
            assertThat(head.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(said).as(name).isEqualTo("the line\n");
        }
        assertThat(ShellWords.file(Path.of("urls/demo.txt"))).isEqualTo("urls/demo.txt");
        assertThat(ShellWords.file(Path.of("-n 2.txt"))).isEqualTo("'./-n 2.txt'");
    }
}
