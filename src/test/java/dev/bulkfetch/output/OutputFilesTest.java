package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulkfetch.testing.Cli;
import dev.bulkfetch.testing.Records;
import dev.bulkfetch.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a run writes never overwrite what the user gave it, and a file it cannot use is a
 * usage error naming the option, before anything is written or sent. The URLs point at a port
 * where nothing listens: a run that went ahead would end with records, not exit code 2.
 */
class OutputFilesTest {

    private static final String LIST = "http://127.0.0.1:9/a\n";

    @TempDir
    Path dir;

    /**
     * {@code -o} naming the list itself (or a link to it, or the list being the file of its
     * identity beside the output) would empty the list before a line was read, and the run
     * would end "ok" with nothing fetched.
     */
    @Test
    void anOutputFileThatIsTheInputIsAUsageErrorAndTheListIsKept() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);
        Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), list);
        Path identityNamed = Files.writeString(dir.resolve("out.jsonl.input"), LIST);

        Cli.Result same = Cli.run("fetch", list.toString(), "-o", list.toString(), "-q");
        Cli.Result linked = Cli.run("fetch", list.toString(), "-o", link.toString(), "-q");
        Cli.Result identity = Cli.run("fetch", identityNamed.toString(), "-o",
                dir.resolve("out.jsonl").toString(), "-q");

        assertThat(same.exitCode()).isEqualTo(2);
        assertThat(same.err()).contains("'--output'").contains("is the input");
        assertThat(linked.exitCode()).isEqualTo(2);
        assertThat(identity.exitCode()).isEqualTo(2);
        assertThat(identity.err()).contains("out.jsonl.input").contains("is the input");
        assertThat(list).hasContent(LIST);
        assertThat(identityNamed).hasContent(LIST);
    }

    /** The summary is written at the end: onto the records or the list, it would replace them. */
    @Test
    void aSummaryFileThatIsTheRecordsOrTheInputIsAUsageError() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);
        Path out = dir.resolve("out.jsonl");

        Cli.Result onRecords = Cli.run("fetch", list.toString(), "-o", out.toString(),
                "--summary-json", out.toString(), "-q");
        Cli.Result onIdentity = Cli.run("fetch", list.toString(), "-o", out.toString(),
                "--summary-json", dir.resolve("out.jsonl.input").toString(), "-q");
        Cli.Result onInput = Cli.run("fetch", list.toString(), "--summary-json",
                list.toString(), "-q");

        assertThat(onRecords.exitCode()).isEqualTo(2);
        assertThat(onRecords.err()).contains("'--summary-json'").contains("the output file");
        assertThat(onIdentity.exitCode()).isEqualTo(2);
        assertThat(onIdentity.err()).contains("identity file");
        assertThat(onInput.exitCode()).isEqualTo(2);
        assertThat(onInput.err()).contains("is the input");
        assertThat(out).doesNotExist();
        assertThat(list).hasContent(LIST);
    }

    /**
     * A summary file that cannot be written failed only after the whole run, with exit 1; an
     * output file that is a folder was taken for a pipe and failed at the first record.
     */
    @Test
    void aSummaryOrOutputPathThatCannotBeWrittenIsAUsageErrorBeforeTheRun() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);
        Path folder = Files.createDirectory(dir.resolve("folder"));
        Path out = dir.resolve("out.jsonl");

        Cli.Result noFolder = Cli.run("fetch", list.toString(), "-o", out.toString(),
                "--summary-json", dir.resolve("missing/s.json").toString(), "-q");
        Cli.Result aFolder = Cli.run("fetch", list.toString(), "-o", out.toString(),
                "--summary-json", folder.toString(), "-q");
        Cli.Result outputFolder = Cli.run("fetch", list.toString(), "-o", folder.toString(),
                "-q");

        assertThat(noFolder.exitCode()).isEqualTo(2);
        assertThat(noFolder.err()).contains("'--summary-json'").contains("there is no folder");
        assertThat(aFolder.exitCode()).isEqualTo(2);
        assertThat(aFolder.err()).contains("'--summary-json'").contains("it is a folder");
        assertThat(outputFolder.exitCode()).isEqualTo(2);
        assertThat(outputFolder.err()).contains("'--output'").contains("is a folder");
        assertThat(out).doesNotExist();
    }

    /**
     * An empty name: {@code Path.of("")} is the current folder, where {@code --save-bodies ''}
     * put the bodies and {@code -o ''} said "is a folder"; an empty input name said "input  is
     * a directory"; {@code --cacert ''} said "cannot read : Is a directory".
     */
    @Test
    void anEmptyNameIsAUsageErrorSayingSo() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);

        java.util.Map<String, String> named = java.util.Map.of("-o", "--output",
                "--summary-json", "--summary-json", "--save-bodies", "--save-bodies",
                "--cacert", "--cacert");
        named.forEach((option, name) -> {
            Cli.Result result = Cli.run("fetch", list.toString(), option, "", "-q");
            assertThat(result.exitCode()).as(option).isEqualTo(2);
            assertThat(result.err()).as(option).contains("Invalid value for option '" + name
                    + "': the name is empty");
            assertThat(result.out()).isEmpty();
        });
        Cli.Result noInput = Cli.run("fetch", "", "-q");
        assertThat(noInput.exitCode()).isEqualTo(2);
        assertThat(noInput.err()).contains("the input's name is empty");
    }

    /**
     * Bodies are saved as {@code SEQ.body}: a list named {@code 1.body} in the bodies' folder
     * was replaced by the first body, and records so named got bodies mixed into them.
     */
    @Test
    void aBodiesFolderHoldingTheListOrTheRecordsUnderABodysNameIsAUsageError()
            throws Exception {
        Path bodies = Files.createDirectory(dir.resolve("bodies"));
        Path listAsBody = Files.writeString(bodies.resolve("1.body"), LIST);
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);

        Cli.Result input = Cli.run("fetch", listAsBody.toString(), "--save-bodies",
                bodies.toString(), "-o", dir.resolve("out.jsonl").toString(), "-q");
        Cli.Result output = Cli.run("fetch", list.toString(), "--save-bodies",
                bodies.toString(), "-o", bodies.resolve("2.body").toString(), "-q");

        assertThat(input.exitCode()).isEqualTo(2);
        assertThat(input.err()).contains("'--save-bodies'").contains("the input");
        assertThat(listAsBody).hasContent(LIST);
        assertThat(output.exitCode()).isEqualTo(2);
        assertThat(output.err()).contains("'--save-bodies'").contains("the output file");
        assertThat(bodies.resolve("2.body")).doesNotExist();
        assertThat(dir.resolve("out.jsonl")).doesNotExist();
        // Through a link from elsewhere, the same: the check compared names only.
        Path linked = Files.createSymbolicLink(dir.resolve("linked.txt"), listAsBody);
        Cli.Result viaLink = Cli.run("fetch", linked.toString(), "--save-bodies",
                bodies.toString(), "-o", dir.resolve("out.jsonl").toString(), "-q");
        assertThat(viaLink.exitCode()).isEqualTo(2);
        assertThat(viaLink.err()).contains("'--save-bodies'").contains("the input");
        assertThat(listAsBody).hasContent(LIST);
    }

    /**
     * A body's file is made new, never written through a link of its name: a hard link in the
     * bodies' folder to the list had the list overwritten by the first body.
     */
    @Test
    void aBodyIsNeverWrittenThroughALinkOfItsName() throws Exception {
        try (dev.bulkfetch.testing.TestServer server = new dev.bulkfetch.testing.TestServer()) {
            Path list = Files.writeString(dir.resolve("list.txt"), server.url("/ok/1") + "\n");
            Path bodies = Files.createDirectory(dir.resolve("bodies"));
            Files.createLink(bodies.resolve("1.body"), list);

            Cli.Result result = Cli.run("fetch", list.toString(), "--save-bodies",
                    bodies.toString(), "-q");

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(list).hasContent(server.url("/ok/1") + "\n");
            assertThat(bodies.resolve("1.body")).hasContent("{\"ok\":true}");
        }
    }

    /**
     * An earlier run's summary is removed only once the run starts: a run refused as a usage
     * error (here an input that is not there) took it too.
     */
    @Test
    void aRunRefusedAsAUsageErrorKeepsTheEarlierSummary() throws Exception {
        Path summary = Files.writeString(dir.resolve("s.json"), "{\"all_ok\": true}");

        Cli.Result result = Cli.run("fetch", dir.resolve("missing.txt").toString(),
                "--summary-json", summary.toString(), "-q");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(summary).hasContent("{\"all_ok\": true}");
    }

    /**
     * After review: the journal, which empties -o for a new run, was opened before the input:
     * a misspelt list, a folder, or a mock that could not start ended the run with exit 2 and
     * the records of the run before it gone. Refused first now, they leave the file as it was.
     */
    @Test
    void aRunRefusedForItsInputOrItsMockLeavesTheRecordsOfTheRunBefore() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);
        Path out = dir.resolve("out.jsonl");
        assertThat(Cli.run("fetch", list.toString(), "-o", out.toString(), "-q", "--retries",
                "0").exitCode()).isEqualTo(1);
        String records = Files.readString(out);
        String identity = Files.readString(dir.resolve("out.jsonl.input"));
        assertThat(records).contains("\"seq\":1");

        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            for (String[] refused : List.of(
                    new String[] {dir.resolve("misspelt.txt").toString()},
                    new String[] {dir.toString()},
                    new String[] {list.toString(), "--mock", "--mock-port",
                            Integer.toString(taken.getLocalPort())})) {
                List<String> args = new java.util.ArrayList<>(List.of("fetch"));
                args.addAll(List.of(refused));
                args.addAll(List.of("-o", out.toString(), "-q"));

                Cli.Result result = Cli.run(args.toArray(String[]::new));

                assertThat(result.exitCode()).as(String.join(" ", refused)).isEqualTo(2);
                assertThat(out).as(String.join(" ", refused)).hasContent(records);
                assertThat(dir.resolve("out.jsonl.input")).hasContent(identity);
            }
        }
    }

    /**
     * After review: {@code fetch - -o list.txt < list.txt} emptied the list, then read nothing
     * from it and ended 0; {@code --summary-json} named so replaced it. Both are refused.
     */
    @Test
    void stdinReadFromTheOutputOrTheSummaryFileIsAUsageError() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);
        Path err = dir.resolve("err.txt");
        for (String option : List.of("-o", "--summary-json")) {
            Process child = dev.bulkfetch.testing.Child.startWithStdin(list, err, "fetch", "-",
                    option, list.toString(), "-q");
            assertThat(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            assertThat(child.exitValue()).as(option).isEqualTo(2);
            assertThat(Files.readString(err)).contains("is the input");
            assertThat(list).as(option).hasContent(LIST);
        }
    }

    /**
     * From an exploratory test: records appended to the list being read ({@code fetch
     * list.txt >> list.txt}, or {@code -o /dev/stdout} so, or {@code -o /proc/self/fd/0 <
     * list.txt}) were read back as lines, each an input error with a record of its own: a
     * 100-line list grew by 60 MB a second until the run was killed. Each is refused, the list
     * as it was.
     */
    @Test
    void recordsStreamedIntoTheInputAreAUsageError() throws Exception {
        String lines = LIST.repeat(100);
        Path list = Files.writeString(dir.resolve("list.txt"), lines);
        Path err = dir.resolve("err.txt");
        assertRefused("stdout appended to the list",
                dev.bulkfetch.testing.Child.startAppendingOutput(list, err, "fetch",
                        list.toString(), "-q", "--retries", "0"),
                err, list, lines, "stdout is the input " + list);
        assertRefused("-o /dev/stdout appended to the list",
                dev.bulkfetch.testing.Child.startAppendingOutput(list, err, "fetch",
                        list.toString(), "-o", "/dev/stdout", "-q", "--retries", "0"),
                err, list, lines, "'--output': /dev/stdout is the input " + list);
        assertRefused("-o naming stdin, read from the list",
                dev.bulkfetch.testing.Child.startWithStdin(list, err, "fetch", list.toString(),
                        "-o", "/proc/self/fd/0", "-q", "--retries", "0"),
                err, list, lines, "'--output': /proc/self/fd/0 is the input " + list);
    }

    private static void assertRefused(String what, Process child, Path err, Path list,
            String lines, String message) throws Exception {
        try {
            // A run feeding itself runs until killed.
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as(what).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as(what).isEqualTo(2);
        assertThat(Files.readString(err)).as(what).contains(message)
                .contains("would be read back as input lines");
        assertThat(list).as(what).hasContent(lines);
    }

    /**
     * From an exploratory test: a --resume on the records of a run that read stdin said only
     * that the identity file was missing, not why. It names --overwrite, which starts afresh
     * whatever the records are (a run without --resume is refused on a killed run's).
     */
    @Test
    void aResumeOfAStdinRunsRecordsSaysStdinCannotBeResumed() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = TestServer.write(dir.resolve("list.txt"), server.url("/ok/1") + "\n");
            Path out = dir.resolve("out.jsonl");
            dev.bulkfetch.testing.Cli.Result piped = dev.bulkfetch.testing.Cli.runWithInput(
                    Files.readString(list), "fetch", "-", "-o", out.toString(), "-q");
            assertThat(piped.exitCode()).as(piped.err()).isZero();

            dev.bulkfetch.testing.Cli.Result resumed = dev.bulkfetch.testing.Cli.run("fetch",
                    list.toString(), "-o", out.toString(), "--resume", "-q");

            assertThat(resumed.exitCode()).isEqualTo(2);
            assertThat(resumed.err()).contains("a run that read stdin or a pipe writes none:"
                    + " it cannot be resumed").contains("--overwrite");
        }
    }

    /**
     * After review: a summary that could not be written at the end (a link into a folder that
     * is not there) said only its path, as an exception's message, and left the records marked
     * unfinished, so the next run was refused. It is named with its cause now, the run exits 1,
     * and the records, all written, are a finished run's.
     */
    @Test
    void aSummaryThatCannotBeWrittenIsSaidAndTheRecordsStillEndFinished() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = TestServer.write(dir.resolve("list.txt"), server.url("/ok/1") + "\n");
            Path out = dir.resolve("out.jsonl");
            Path summary = Files.createSymbolicLink(dir.resolve("s.json"),
                    dir.resolve("gone").resolve("s.json"));

            Cli.Result result = Cli.run("fetch", list.toString(), "-o", out.toString(), "-q",
                    "--summary-json", summary.toString());

            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err()).contains("cannot write the summary to " + summary
                    + ": no such file or folder");
            assertThat(Records.read(out)).hasSize(1);
            assertThat(Cli.run("fetch", list.toString(), "-o", out.toString(), "-q")
                    .exitCode()).as("a new run on a finished run's file").isZero();
        }
    }

    /**
     * After review: -o naming the terminal the progress line is drawn on, by a name other
     * than /dev/stdout (/dev/stderr, /proc/self/fd/1, $(tty)), drew the line into the records.
     * Here stderr is a pipe the child is told is a terminal, and -o names it as /dev/stderr.
     */
    @Test
    void noProgressLineIsDrawnIntoRecordsGoingToItsOwnStream() throws Exception {
        try (TestServer server = new TestServer()) {
            Path list = TestServer.write(dir.resolve("list.txt"), server.url("/slow/1") + "\n"
                    + server.url("/slow/2") + "\n");
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.bulkfetch.cli.Main",
                    "fetch", list.toString(), "-c", "1", "-o", "/dev/stderr")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("BULKFETCH_STDERR_TTY", "1");
            Process child = builder.start();
            // A pipe, as a terminal is no file: the records and the line share its one stream.
            String written = new String(child.getErrorStream().readAllBytes(),
                    StandardCharsets.UTF_8);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(Records.parse(written.lines().filter(l -> l.startsWith("{"))
                    .collect(java.util.stream.Collectors.joining("\n")))).hasSize(2);
            assertThat(written).doesNotContain("done").doesNotContain("\r");
        }
    }

    /** {@code -o -} is stdout, as {@code -} is for the input: it wrote a file named "-". */
    @Test
    void anOutputOfADashIsStdout() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);
        Path dash = Path.of("-").toAbsolutePath();
        try {
            Cli.Result result = Cli.run("fetch", list.toString(), "-o", "-", "-q");

            assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
            assertThat(Records.parse(result.out())).hasSize(1);
            assertThat(dash).doesNotExist();
        } finally {
            Files.deleteIfExists(dash);
            Files.deleteIfExists(Path.of("-.input").toAbsolutePath());
        }
    }

    @Test
    void aBodiesFolderThatIsAFileIsAUsageErrorWithoutATrace() throws Exception {
        Path list = Files.writeString(dir.resolve("list.txt"), LIST);
        Path file = Files.writeString(dir.resolve("bodies"), "mine");

        Cli.Result result = Cli.run("fetch", list.toString(), "--save-bodies", file.toString(),
                "-o", dir.resolve("out.jsonl").toString(), "-q");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("'--save-bodies'").contains("a file of that name")
                .doesNotContain("Exception");
        assertThat(file).hasContent("mine");
        assertThat(dir.resolve("out.jsonl")).doesNotExist();
        // After review: a folder under that file said "java.nio.file.FileSystemException: ...".
        Cli.Result under = Cli.run("fetch", list.toString(), "--save-bodies",
                file.resolve("b").toString(), "-q");
        assertThat(under.exitCode()).isEqualTo(2);
        assertThat(under.err()).contains("Not a directory").doesNotContain("Exception");
    }

    /** A bodies folder that is a link to nothing says so, not "FileAlreadyExistsException". */
    @Test
    void aBodiesFolderThatLinksToNothingIsNamedAsSuch() throws Exception {
        Path list = TestServer.write(dir.resolve("list.txt"), "http://127.0.0.1:9/x\n");
        Path link = Files.createSymbolicLink(dir.resolve("bodies"), dir.resolve("gone"));

        Cli.Result result = Cli.run("fetch", list.toString(), "--save-bodies", link.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("'--save-bodies'").contains("a link to nothing")
                .doesNotContain("Exception");
    }
}
