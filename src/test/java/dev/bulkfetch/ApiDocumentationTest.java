package dev.bulkfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.DocumentationTool;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every public type and member of the API package has Javadoc: checked by javadoc itself. */
class ApiDocumentationTest {

    @Test
    void everyPublicTypeAndMemberOfTheApiIsDocumented(@TempDir Path out) throws Exception {
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        StringWriter log = new StringWriter();
        List<String> args = List.of("-quiet", "-Xdoclint:missing,reference,syntax",
                "-d", out.toString(), "-cp", System.getProperty("java.class.path"),
                "-sourcepath", "src/main/java", "dev.bulkfetch");
        var task = javadoc.getTask(log, null, null, null, args, null);
        assertThat(task.call()).as(log.toString()).isTrue();
        List<String> undocumented = log.toString().lines()
                .filter(line -> line.contains("warning: no comment")).toList();
        assertThat(undocumented).as(log.toString()).isEmpty();
        assertThat(Files.exists(out.resolve("dev/bulkfetch/Fetcher.html"))).isTrue();
    }
}
