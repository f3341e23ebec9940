package dev.bulkfetch.cli;

import dev.bulkfetch.ErrorKind;
import dev.bulkfetch.input.ShellWords;
import dev.bulkfetch.input.InputReader;
import dev.bulkfetch.input.UrlListReader;
import dev.bulkfetch.input.LineNotes;
import dev.bulkfetch.output.FileErrors;
import dev.bulkfetch.output.InputGrowth;
import dev.bulkfetch.output.Journal;
import dev.bulkfetch.output.Summary;
import dev.bulkfetch.output.Unclosed;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What {@code bulkfetch fetch} says as its run ends, and the exit code it ends with: the
 * warnings for a list without items and for a server none could reach, the summary on stderr
 * and in --summary-json, and the signal that stopped the run. Apart from FetchCommand, which
 * opens the run's files and runs it: this only reads how the run went.
 */
final class FetchReport {

    private final PrintWriter err;
    private final String input;
    private final boolean quiet;
    // --summary-json's file, '-' for stdout; null: none asked for.
    private final Path summaryJson;
    // Where the records go without -o, and the summary with --summary-json -.
    private final OutputStream stdout;
    // Whether the run's URLs went to --mock's server.
    private final boolean mocked;
    private final boolean canResume;
    // The option that widened what TLS trusts (--insecure, --cacert), or null for neither.
    private final String trustedBy;

    /**
     * A report on {@code err} of the run of {@code input} (- for stdin); {@code canResume}
     * says whether --resume can go on from the run (see FetchCommand); {@code trustedBy} names
     * the option given that widened what TLS trusts, null for none. A {@code summaryJson} of
     * {@code -} is written to {@code stdout}.
     */
    FetchReport(PrintWriter err, OutputStream stdout, String input, boolean quiet,
                Path summaryJson, boolean mocked, boolean canResume, String trustedBy) {
        this.err = err;
        this.stdout = stdout;
        this.trustedBy = trustedBy;
        this.input = input;
        this.quiet = quiet;
        this.summaryJson = summaryJson;
        this.mocked = mocked;
        this.canResume = canResume;
    }

    /**
     * Reports the run that ended with {@code summary}, beside the records {@code journal}
     * (null: none) kept from earlier runs, and returns its exit code. {@code failed} is set
     * when the run's records could not be written, which ended it; {@code read} is the input
     * as read (null: none), whose lines noted for a warning are said once.
     */
    int end(Summary summary, Journal journal, Interrupts interrupts, RecordsFailed failed,
            InputReader read) {
        InputGrowth grown = grownInput(journal);
        // A signal that stopped the records' reader too ended the run: the failed write did not.
        boolean bySignal = interrupts.interrupted() && (failed == null || failed.withSignal());
        if (failed != null && !failed.withSignal()) {
            // Quiet or not, first: the summary then says what the run had done.
            err.println("bulkfetch fetch: " + failed.said());
            err.flush();
        }
        long kept = journal == null ? 0 : journal.kept();
        long keptFailures = journal == null ? 0 : journal.keptFailures();
        if (summary.items() == 0 && kept == 0 && !interrupts.interrupted() && failed == null) {
            // Quiet or not: a list a failed script left empty looked like a success.
            err.println("bulkfetch fetch: warning: " + (input.equals("-") ? "stdin"
                    : input) + " held no item (no line but blanks and # comments)");
            err.flush();
        }
        if (!quiet) {
            err.print(summary.toText());
            if (kept > 0) {
                err.println("  kept from earlier runs: " + Options.count(kept, "record") + ", "
                        + keptFailures + " not ok");
            }
            err.flush();
        }
        // Quiet or not, once each: a spec file named .json, read as a URL list, said why only
        // in each record, and on stderr "errors: input 6"; a spec with a body and no method
        // went as a GET, which an API meant to create may answer 200 without doing anything.
        if (read != null) {
            warnOf(read.specLines(), " begins with '{'", ", as a JSON Lines request spec does"
                    + " and no URL does: read as a URL list, such lines are input errors;"
                    + " --input-format jsonl reads request specs"
                    + (input.equals("-") ? "" : " (auto does for a .jsonl or .ndjson name)"));
            warnOf(read.bodiesWithoutMethod(), " gives a \"body\" and no \"method\"",
                    ", and was sent as a GET, the default: give \"method\": \"POST\" (or -X"
                    + " POST) where the body was meant to create or change something");
        }
        if (noneConnected(summary) && !interrupts.interrupted()) {
            // Quiet or not: a demo list run without --mock spent its retries' backoff (19 s)
            // on a refused port, and the summary said only "connect 2000".
            err.println("bulkfetch fetch: warning: no item could connect: "
                    + whyNoneConnected(summary));
            err.flush();
        } else if (summary.refusedCertificates() > 0 && trustedBy == null) {
            // Quiet or not, as above: the summary said only "connect N" of items whose
            // servers were up and answered, with a certificate this side refused.
            err.println("bulkfetch fetch: warning: the server's certificate was refused for "
                    + Options.count(summary.refusedCertificates(), "item") + " (their records'"
                    + " errors say why): --cacert FILE trusts a private CA's, --insecure skips"
                    + " the check for a test server");
            err.flush();
        }
        if (grown != null) {
            // Quiet or not: lines of the list were left unfetched.
            warnOfGrowth(grown);
        }
        // Written on Ctrl-C, SIGTERM and SIGHUP too: a wrapper watching it must not read an
        // earlier run's (one that dies without writing it leaves none: FetchCommand removes
        // it as the run starts).
        boolean summaryWritten = writeSummary(summary, kept, keptFailures,
                interrupts.interrupted(), grown == null ? 0 : grown.lines(),
                failed != null && failed.bodies() != null);
        if (bySignal || failed != null) {
            // The same count as the other stops give, of the records written, and the lost
            // apart: the summary counts only the written, which a pipeline's reader got.
            err.println("bulkfetch: " + (interrupts.interrupted() ? interrupts.reason() + "; "
                    : "") + Options.count(summary.items(), "record") + " written"
                    + (failed == null ? "" : (failed.bodies() == null || summary.lost() > 0
                    ? ", " + summary.lost() + " lost" : "") + ": " + failed.why())
                    + (!canResume || failed != null ? "" : "; --resume goes on from here"));
            err.flush();
        }
        if (interrupts.interrupted()) {
            // The signal's code even when a write failed after it (a full disk in the grace):
            // the user stopped the run, and the records written are whole lines either way.
            return interrupts.exitCode();
        }
        // Not 0 for lines of the list left unfetched: a script taking 0 for "all fetched"
        // would go on without them.
        return failed == null && summary.failures() == 0 && keptFailures == 0 && summaryWritten
                && grown == null ? ExitCodes.OK : ExitCodes.SOME_FAILED;
    }

    /**
     * What was written to the input past what the run read (its identity's bytes), and so was
     * not fetched; null when nothing was, or it cannot be told (the input is gone: no run
     * could fetch it, and the records are whole).
     */
    private static InputGrowth grownInput(Journal journal) {
        try {
            return journal == null ? null : journal.inputGrowth();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Reports a run that {@code stop} ended while it waited for stdin's first bytes, before
     * anything was read or sent ({@code empty} says so), and returns its exit code: the
     * summary is written as a stopped run's is, and -o was not touched.
     */
    int stoppedBeforeInput(Interrupts.Stop stop, Summary empty) {
        writeSummary(empty, 0, 0, true, 0, false);
        err.println("bulkfetch: " + stop.said() + " before stdin's first line came; nothing"
                + " was fetched, and -o was left as it was");
        err.flush();
        return stop.exitCode;
    }

    /**
     * Writes --summary-json's file, if asked for; false when it cannot be written, which is
     * said: every record is written, so the run is not to be resumed for this, but a wrapper
     * waiting for the file must not take the run for a success; nor a run a body that could
     * not be saved stopped short ({@code bodyNotSaved}), though every record written is ok.
     */
    private boolean writeSummary(Summary summary, long kept, long keptFailures,
                                 boolean interrupted, long unreadLines, boolean bodyNotSaved) {
        if (summaryJson == null) {
            return true;
        }
        boolean toStdout = OutputOptions.isStdoutName(summaryJson);
        if (OutputOptions.isStderrName(summaryJson)) {
            // Through the stream stderr is, as stdout's names go through stdout: a file
            // opened again has an offset of its own, and the shell's next line lands over it.
            java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
            try {
                summary.writeJson(json, kept, keptFailures, interrupted, unreadLines,
                        bodyNotSaved);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);  // no I/O: an array
            }
            err.print(json.toString(java.nio.charset.StandardCharsets.UTF_8));
            err.flush();
            return !err.checkError();
        }
        try (OutputStream out = toStdout ? Unclosed.of(stdout) : openSummary(summaryJson)) {
            summary.writeJson(out, kept, keptFailures, interrupted, unreadLines,
                    bodyNotSaved);
            return true;
        } catch (IOException e) {
            err.println("bulkfetch fetch: cannot write the summary to "
                    + (summaryJson.toString().equals("-") ? "stdout" : summaryJson) + ": "
                    + FileErrors.reason(e));
            err.flush();
            return false;
        }
    }

    /**
     * Says {@code lines} once, when there are any: their first, that it {@code does} (as do so
     * many more), and {@code so}.
     */
    private void warnOf(LineNotes lines, String does, String so) {
        if (lines.count() == 0) {
            return;
        }
        long more = lines.count() - 1;
        err.println("bulkfetch fetch: warning: line " + lines.first() + " of "
                + (input.equals("-") ? "stdin" : input) + does + (more == 0 ? ""
                : " (as " + (more == 1 ? "does" : "do") + " " + Options.count(more, "more line")
                + ")") + so);
        err.flush();
    }

    /**
     * The input grew while the run read it (a list still being appended to), or before a
     * resume: the run read only as far as its identity, which its records are of.
     */
    private void warnOfGrowth(InputGrowth grown) {
        Path list = UrlListReader.resolve(input);
        String lines = grown.lines() == 1 ? "line " + grown.firstLine()
                : "lines " + grown.firstLine() + " to " + grown.lastLine();
        err.println("bulkfetch fetch: warning: " + input + " grew past the "
                + Options.count(grown.read(), "byte") + " this run read (those its output's"
                + " records are of, as its identity says): " + lines + " ("
                + Options.count(grown.bytes(), "byte")
                + (grown.cut() ? ", from the middle of line " + grown.firstLine() : "") + ") "
                + (grown.lines() == 1 ? "was" : "were") + " not fetched; a new run with"
                + " another -o fetches them: tail -n +" + grown.firstLine() + " "
                + ShellWords.file(list) + " > " + ShellWords.file(restOf(list)));
        err.flush();
    }

    /**
     * Where the tail suggested for the lines {@code list} left is to write them: beside the
     * list, named after it ({@code list-rest.txt} for {@code list.txt}), as a shell opens
     * {@code > FILE} before tail reads the list: a fixed {@code rest.txt} emptied a list of
     * that name. The name differs from the list's ({@code -rest} where the list has its
     * extension); a name taken by an earlier run's rest is not clobbered ({@code -rest-2}...).
     */
    static Path restOf(Path list) {
        String name = list.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return ShellWords.unusedBeside(list, (dot > 0 ? name.substring(0, dot) : name) + "-rest",
                ".txt");
    }

    /**
     * Why no item could connect, as far as the run can tell: a server whose TLS handshake
     * failed is up, and asking whether it is sent a user looking in the wrong place.
     */
    private String whyNoneConnected(Summary summary) {
        long connect = summary.errors().get(ErrorKind.CONNECT);
        long tls = summary.tlsFailures();
        // With --insecure or --cacert given, a refused certificate is no longer the likely
        // cause, and naming them again was advice that could not help: an https:// URL to a
        // port that does not speak TLS is, which http:// mends. A server may also end the
        // handshake itself (a reset, as one that wants a client certificate may): only the
        // records' errors tell these apart.
        if (tls == connect) {
            return trustedBy != null ? "every TLS handshake failed, with " + trustedBy
                    + " given: is there TLS on its port (or should the URLs be http://), or"
                    + " did the server end the handshake (wanting a client certificate or"
                    + " another TLS version)? Their records' errors say which"
                    : "every TLS handshake failed: the server's certificate refused (see"
                    + " --cacert, or --insecure for a test server), no TLS on its port (the URLs"
                    + " want http://), or the server ended the handshake (wanting a client"
                    + " certificate or another TLS version): their records' errors say which";
        }
        if (tls > 0) {
            // Named only for a certificate refused, which they can mend, and as above not
            // again when one of them was given.
            long refused = trustedBy == null ? summary.refusedCertificates() : 0;
            return tls + " failed in the TLS handshake" + (refused == 0 ? "" : " (" + refused
                    + " with the server's certificate refused: see --cacert, or --insecure for"
                    + " a test server)") + ", " + (connect - tls)
                    + " otherwise (see their records' errors)";
        }
        return "is the server up?" + (!mocked && isDemoList() ? " (the lists under urls/ name "
                + "the mock, on 127.0.0.1:8089: add --mock, or run bulkfetch serve beside)" : "");
    }

    /** Whether the input is one of the lists under a urls/ folder, which name the mock. */
    private boolean isDemoList() {
        Path parent = UrlListReader.resolve(input).toAbsolutePath().normalize().getParent();
        return !input.equals("-") && parent != null && parent.getFileName() != null
                && parent.getFileName().toString().equals("urls");
    }

    /** Whether every item sent failed to connect (none came back, none failed otherwise). */
    private static boolean noneConnected(Summary summary) {
        long connect = summary.errors().getOrDefault(ErrorKind.CONNECT, 0L);
        long sent = summary.items() - summary.errors().getOrDefault(ErrorKind.INPUT, 0L);
        return connect > 0 && connect == sent;
    }

    /**
     * The summary file: written afresh when it is a file of its own (or none yet); through a
     * link, to a device, or to the file stdout or stderr went to, appended to, as emptying it
     * would lose what the other end holds (after a review: {@code --summary-json /dev/stdout
     * >> runs.log} emptied the log). A link's own file was emptied as the run started
     * ({@link OutputOptions#removeEarlierSummary}).
     */
    private static OutputStream openSummary(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
                && !OutputOptions.toAStream(path)) {
            return Files.newOutputStream(path);
        }
        return Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }
}
