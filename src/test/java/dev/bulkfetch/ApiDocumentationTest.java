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
        // The package's files, not a source path: with module-info.java on a source path
        // javadoc would want every dependency as a module. The other packages come compiled.
        List<String> args = new java.util.ArrayList<>(List.of("-quiet",
                // javadoc stops reporting after 100 warnings by default, which once hid the
                // very warnings this test looks for behind others.
                "-Xmaxwarns", "100000", "-Xdoclint:missing,reference,syntax", "-d", out.toString(),
                "-cp", System.getProperty("java.class.path")));
        try (var files = Files.list(Path.of("src/main/java/dev/bulkfetch"))) {
            files.filter(f -> f.toString().endsWith(".java")).map(Path::toString).sorted()
                    .forEach(args::add);
        }
        var task = javadoc.getTask(log, null, null, null, args, null);
        assertThat(task.call()).as(log.toString()).isTrue();
        List<String> undocumented = log.toString().lines()
                .filter(line -> line.contains("warning: no comment")).toList();
        assertThat(undocumented).as(log.toString()).isEmpty();
        assertThat(Files.exists(out.resolve("dev/bulkfetch/Fetcher.html"))).isTrue();
    }
}
