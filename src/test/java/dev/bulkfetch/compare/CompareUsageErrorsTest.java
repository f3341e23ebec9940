package dev.bulkfetch.compare;

import static dev.bulkfetch.compare.CompareFolders.compareFolders;
import static dev.bulkfetch.testing.TmpDir.inTemporaryFolder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options {@code compare} cannot use are usage errors (exit 2) naming the option, as
 * fetch names its own, with nothing left behind.
 */
class CompareUsageErrorsTest {

    @TempDir
    Path dir;

    @Test
    void aCountOutOfRangeIsAUsageErrorNamingItsOption() {
        Cli.Result repeat = Cli.run("compare", "urls/demo.txt", "--repeat", "0");
        Cli.Result warmup = Cli.run("compare", "urls/demo.txt", "--warmup", "-1");
        Cli.Result concurrency = Cli.run("compare", "urls/demo.txt", "-c", "0");

        assertThat(repeat.exitCode()).isEqualTo(2);
        assertThat(repeat.err()).contains("Invalid value for option '--repeat': ");
        assertThat(warmup.err()).contains("Invalid value for option '--warmup': ");
        assertThat(concurrency.err()).contains("Invalid value for option '--concurrency': ");
    }

    /**
     * A UTF-16 list is refused before any run, as fetch refuses it, with exit 2: each forked
     * run failed on it, with a log of its own.
     */
    @Test
    void aListInUtf16IsRefusedBeforeAnyRun() throws Exception {
        byte[] utf16 = "\uFEFFhttp://127.0.0.1:1/a\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        Path list = java.nio.file.Files.write(dir.resolve("list.txt"), utf16);

        Cli.Result result = Cli.run("compare", list.toString(), "--engines", "serial");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains("is UTF-16").contains("iconv")
                .doesNotContain("run 1/");
    }

    @Test
    void aBadEngineNameIsAUsageErrorNamingItsOption() {
        Cli.Result result = Cli.run("compare", "urls/demo.txt", "--engines", "event-loop,warp");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("'--engines'").contains("warp");
    }

    /**
     * Options compare cannot use are usage errors naming the option, with nothing left
     * behind: a port out of range was a stack trace, a report path that is a file a bare path.
     */
    @Test
    void aBadMockPortOrReportFolderIsAUsageErrorNamingItsOption() throws Exception {
        Path file = TestServer.write(dir.resolve("afile"), "x");
        Cli.Result port = Cli.run("compare", "urls/demo.txt", "--mock", "--mock-port", "70000");
        Cli.Result report = Cli.run("compare", "urls/demo.txt", "--report", file.toString());
        Cli.Result empty = Cli.run("compare", "urls/demo.txt", "--report", "");
        Cli.Result probeHelp = Cli.run("probe", "--help");

        assertThat(port.exitCode()).isEqualTo(2);
        assertThat(port.err()).contains("'--mock-port'").contains("0 to 65535")
                .doesNotContain("Exception");
        assertThat(report.exitCode()).isEqualTo(2);
        assertThat(report.err()).contains("'--report'").contains("a file of that name");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("Invalid value for option '--report': the name is empty");
        assertThat(probeHelp.exitCode()).as(probeHelp.err()).isZero();

        // A mock that cannot start (its port taken) left an empty temporary folder.
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            Cli.Result busy = inTemporaryFolder(tmp, () -> Cli.run("compare", "urls/demo.txt",
                    "--mock", "--mock-port", Integer.toString(taken.getLocalPort())));
            assertThat(busy.exitCode()).as(busy.err()).isEqualTo(2);
        }
        assertThat(compareFolders(tmp)).isEmpty();
    }

    /**
     * A --report folder holding the list as one of the files the report writes (runs.json,
     * report.html, runs.log), or a link to it, had the list replaced by the report: refused
     * before any run, as fetch refuses an output that is its input, the list left as it was.
     */
    @Test
    void aReportFileThatIsTheInputListIsRefusedBeforeAnyRun() throws Exception {
        String urls = "http://127.0.0.1:9/a\n";
        Path self = TestServer.write(java.nio.file.Files.createDirectories(dir.resolve("self"))
                .resolve("runs.json"), urls);
        Path list = TestServer.write(dir.resolve("list.txt"), urls);
        Path linked = java.nio.file.Files.createDirectories(dir.resolve("linked"));
        java.nio.file.Files.createSymbolicLink(linked.resolve("report.html"), list);

        Cli.Result same = Cli.run("compare", self.toString(), "--engines", "serial",
                "--warmup", "0", "--report", self.getParent().toString());
        Cli.Result link = Cli.run("compare", list.toString(), "--engines", "serial",
                "--warmup", "0", "--report", linked.toString());

        assertThat(same.exitCode()).as(same.err()).isEqualTo(2);
        assertThat(same.err()).contains("Invalid value for option '--report': " + self
                + " is the input list").doesNotContain("run 1/");
        assertThat(self).hasContent(urls);
        assertThat(link.exitCode()).as(link.err()).isEqualTo(2);
        assertThat(link.err()).contains("Invalid value for option '--report': "
                + linked.resolve("report.html") + " is the input list " + list);
        assertThat(list).hasContent(urls);
    }

    /**
     * A --report folder that exists but takes no file failed after the mock had started, with
     * exit 1 and a temporary folder's name ("/proc/1/.bulkfetch-lists-163...: ..."); one that
     * cannot be made said the JDK's exception ("java.nio.file.FileSystemException: ..."). Both
     * are usage errors in words, before any run. As root no mode bit stops a write: a path
     * under a file, and /proc, stand in for a read-only disk.
     */
    @Test
    void aReportFolderThatCannotBeWrittenIsAUsageErrorInWords() {
        Path file = TestServer.write(dir.resolve("afile"), "x");
        Path list = TestServer.write(dir.resolve("list.txt"), "http://127.0.0.1:9/a\n");

        Cli.Result under = Cli.run("compare", list.toString(), "--engines", "serial",
                "--report", file.resolve("sub").toString());

        assertThat(under.exitCode()).as(under.err()).isEqualTo(2);
        assertThat(under.err()).contains("Invalid value for option '--report': cannot make the"
                + " folder " + file.resolve("sub") + ": Not a directory")
                .doesNotContain("Exception");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(
                Path.of("/proc/1")), "a /proc to write into");
        Cli.Result unwritable = Cli.run("compare", list.toString(), "--engines", "serial",
                "--report", "/proc/1");
        Cli.Result unmakeable = Cli.run("compare", list.toString(), "--engines", "serial",
                "--report", "/proc/1/rep");

        assertThat(unwritable.exitCode()).as(unwritable.err()).isEqualTo(2);
        assertThat(unwritable.err()).contains("Invalid value for option '--report': cannot"
                + " write into the folder /proc/1: ").doesNotContain(".bulkfetch-")
                .doesNotContain("run 1/");
        assertThat(unmakeable.exitCode()).as(unmakeable.err()).isEqualTo(2);
        assertThat(unmakeable.err()).contains("Invalid value for option '--report': cannot"
                + " make the folder /proc/1/rep: ").doesNotContain("Exception");
    }

    /**
     * compare declared its own --mock and --mock-port and checked them in its own order: a
     * port out of range without --mock was "must be 0 to 65535" there and "it is for --mock"
     * in fetch. The two commands share the options now, and say the same.
     */
    @Test
    void aMockPortItCannotUseIsToldAsFetchTellsIt() {
        Path list = TestServer.write(dir.resolve("list.txt"), "http://127.0.0.1:9/x\n");
        for (String[] mock : new String[][] {{"--mock-port", "70000"}, {"--mock-port", "-1"},
                {"--mock-port", "9"}, {"--mock", "--mock-port", "70000"}}) {
            Cli.Result compare = Cli.run(args("compare", list, mock));
            Cli.Result fetch = Cli.run(args("fetch", list, mock));

            assertThat(compare.exitCode()).as(compare.err()).isEqualTo(2);
            assertThat(compare.err().lines().findFirst()).as(String.join(" ", mock))
                    .isEqualTo(fetch.err().lines().findFirst()).get(
                            org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .startsWith("Invalid value for option '--mock-port': ");
        }
    }

    private static String[] args(String command, Path list, String... more) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(command,
                list.toString()), java.util.Arrays.stream(more)).toArray(String[]::new);
    }
}
