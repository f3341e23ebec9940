package dev.bulkfetch.readme;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.FetchError;
import dev.bulkfetch.FetchResult;
import dev.bulkfetch.output.JsonLinesWriter;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's record table names every field the writer writes, and no other: it left out
 * {@code body} and {@code body_file}, which --include-body and --save-bodies add.
 */
class ReadmeRecordTableTest {

    private static final Pattern FIELD = Pattern.compile("`([a-z_]+)`");

    @Test
    void theRecordTableNamesEveryFieldTheWriterWrites() throws Exception {
        assertThat(readmeRecordFields()).containsExactlyInAnyOrderElementsOf(writtenFields());
    }

    /**
     * The fields of a record with every field there: an error, a body kept and saved, a
     * redirect followed.
     */
    private static List<String> writtenFields() throws Exception {
        FetchResult everything = new FetchResult(1, "1", "http://127.0.0.1/a", "GET", 503,
                FetchError.of(ErrorKind.HTTP, "HTTP 503"), 3, 1_000_000, 4, "event-loop",
                "busy", "/tmp/bodies/1.body", false, "http://127.0.0.1/b");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonLinesWriter writer = new JsonLinesWriter(out, true)) {
            writer.accept(everything);
        }
        List<String> names = new ArrayList<>();
        new ObjectMapper().readTree(out.toByteArray()).fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The names in the first column of the table under "### The record". */
    private static List<String> readmeRecordFields() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("\n### The record\n"));
        List<String> names = new ArrayList<>();
        boolean inTable = false;
        for (String line : section.lines().skip(1).toList()) {
            if (line.startsWith("|")) {
                inTable = true;
                String firstCell = line.substring(1, line.indexOf('|', 1));
                Matcher field = FIELD.matcher(firstCell);
                while (field.find()) {
                    names.add(field.group(1));
                }
            } else if (inTable) {
                break;
            }
        }
        return names;
    }
}
