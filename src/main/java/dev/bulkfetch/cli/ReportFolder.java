package dev.bulkfetch.cli;

import dev.bulkfetch.compare.FolderLock;
import dev.bulkfetch.compare.Report;
import dev.bulkfetch.compare.ScratchFiles;
import dev.bulkfetch.output.FileErrors;
import dev.bulkfetch.output.FilePaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * compare's {@code --report DIR}, checked before any run, so that a report that cannot be
 * written, or would overwrite the list, is a usage error (exit 2) rather than a comparison's
 * worth of runs lost at the end, or the list replaced by runs.json.
 */
final class ReportFolder {

    private ReportFolder() {
    }

    /**
     * Makes {@code folder} when it is not there, and refuses it when a file compare writes
     * there is the {@code input} list (or a link to it); then takes the hold on it, which the
     * caller closes as compare ends, and refuses it when no file can be made in it.
     *
     * @throws FolderLock.InUse when another compare holds the folder: no mistake in the
     *     command line, so it goes to Main as it is, which says it without pointing at --help
     */
    static FolderLock prepare(CommandSpec spec, Path folder, Path input) throws IOException {
        for (String name : Report.FILES) {
            Path written = folder.resolve(name);
            if (FilePaths.sameFile(written, input)) {
                throw refused(spec, written + " is the input list " + input + ": writing the"
                        + " report would overwrite it; choose another folder");
            }
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw refused(spec, "cannot make the folder " + folder + ": "
                    + (Files.exists(folder) ? "a file of that name is there"
                    : FileErrors.reason(e)));
        }
        // Held before any file is made there: a check made first, its file named as compare's
        // temporary files are, was removed as a killed compare's by a compare that held the
        // folder, and the folder was said to take no file, not to be in use. Under the hold
        // no other compare removes anything there.
        FolderLock held;
        try {
            held = FolderLock.take(folder);
        } catch (FolderLock.InUse e) {
            throw e;
        } catch (IOException e) {
            throw refused(spec, "cannot write into the folder " + folder + ": "
                    + FileErrors.reason(e));
        }
        // The runs make their files there, and the report is written at the end: a folder
        // that exists but takes no file (a read-only disk) failed after the mock had started,
        // naming a temporary folder of compare's own. The lock's file shows nothing of it:
        // a killed compare may have left it there.
        try {
            Files.delete(Files.createTempFile(folder, ScratchFiles.WRITABLE, ""));
        } catch (IOException e) {
            held.close();
            throw refused(spec, "cannot write into the folder " + folder + ": "
                    + FileErrors.reason(e));
        }
        return held;
    }

    private static ParameterException refused(CommandSpec spec, String why) {
        return new ParameterException(spec.commandLine(), Options.invalidValue("--report", why));
    }
}
