package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    @TempDir
    Path dir;

    @Test
    void aTornLineEndingInsideAMultiByteCharacterIsCutAtTheLastCompleteRecord()
            throws Exception {
        Path input = Files.writeString(dir.resolve("in.txt"), "http://h.test/1\n");
        Path out = dir.resolve("out.jsonl");
        Journal.open(out, input, false);
        String complete = "{\"seq\":1,\"ok\":true,\"body\":\"caf\u00e9 \u2603\"}\n"
                + "{\"seq\":2,\"ok\":false}\n";
        byte[] torn = "{\"seq\":3,\"body\":\"\u2603".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(complete.getBytes(StandardCharsets.UTF_8));
        file.write(torn, 0, torn.length - 1);
        Files.write(out, file.toByteArray());

        Journal journal = Journal.open(out, input, true);

        assertThat(journal.kept()).isEqualTo(2);
        assertThat(journal.keptFailures()).isEqualTo(1);
        assertThat(journal.isDone(1)).isTrue();
        assertThat(journal.isDone(3)).isFalse();
        assertThat(Files.readString(out)).isEqualTo(complete);
    }
}
