package dev.bulkfetch.cli;

import static dev.bulkfetch.cli.Options.flag;
import static dev.bulkfetch.cli.Options.option;

import dev.bulkfetch.input.InputReader;
import dev.bulkfetch.input.InputUnavailableException;
import dev.bulkfetch.input.UrlListReader;
import dev.bulkfetch.output.BodiesClaim;
import dev.bulkfetch.output.FileErrors;
import dev.bulkfetch.output.FilePaths;
import dev.bulkfetch.output.Journal;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Where {@code fetch} writes: the records ({@code -o}, and {@code --resume} from them), the
 * bodies' folder and the summary file. Each is checked before anything is written or sent:
 * none may land on another or on the input, so no run overwrites what the user gave it, and a
 * path that cannot be used is a usage error naming its option.
 */
final class OutputOptions {

    private static final Pattern BODY_NAME = Pattern.compile("[0-9]+\\.body");

    private static final Set<String> STDOUT_NAMES =
            Set.of("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1");
    private static final Set<String> STDERR_NAMES =
            Set.of("/dev/stderr", "/dev/fd/2", "/proc/self/fd/2");

    private CommandSpec command;
    Path output;
    boolean resume;
    boolean retryFailed;
    boolean overwrite;
    Path saveBodies;
    Path summaryJson;
    private boolean bodiesFolderMade;
    // This run's claim on the bodies' folder, from makeBodiesFolder to the run's end.
    private BodiesClaim bodiesClaim;
    // The outermost folder makeBodiesFolder made: the bodies' or one above it; null for none.
    private Path bodiesFolderMadeFrom;

    /** Declares these options on a command. */
    void addTo(Options options) {
        command = options.command();
        options.add(option("-o", "--output").paramLabel("FILE").type(Path.class)
                        .description("Write records to FILE instead of stdout ('-')."),
                        // Picocli sets the initial value too, null.
                        () -> output, v -> output = "-".equals(String.valueOf(v)) ? null : v)
                .add(flag("--resume")
                        .description("With -o FILE: keep the records already in FILE (a torn "
                                + "last line is cut) and fetch only the items without one. The "
                                + "input must be the same, or have only grown (checked against "
                                + "FILE.input)."),
                        () -> resume, v -> resume = v)
                .add(flag("--retry-failed")
                        .description("With --resume: fetch again the items whose kept records "
                                + "are not ok (an error, or a final status not 2xx), their "
                                + "records dropped from FILE first; the ok ones are kept."),
                        () -> retryFailed, v -> retryFailed = v)
                .add(flag("--overwrite")
                        .description("With -o FILE: start afresh on the FILE of a run that did "
                                + "not finish, whose records --resume would go on from (a new "
                                + "run on such a FILE is refused without it)."),
                        () -> overwrite, v -> overwrite = v)
                .add(option("--save-bodies").paramLabel("DIR").type(Path.class)
                        .description("Save each body to DIR/SEQ.body (named from the item, "
                                + "never from the URL); the record gets body_file."),
                        // Normalised: new/../b was made as b, then its real path looked for
                        // through new/, which was not there (a crash), and a refused run's
                        // walk back up could not remove new/.. it had made. The current folder
                        // stays ".": normalised to "", it was refused as an empty name.
                        () -> saveBodies, v -> saveBodies = v == null || v.toString().isBlank()
                                ? v : v.normalize().toString().isEmpty() ? Path.of(".")
                                : v.normalize())
                .add(option("--summary-json").paramLabel("FILE").type(Path.class)
                        .description("Also write the summary as JSON to FILE ('-': stdout, "
                                + "with -o FILE)."),
                        () -> summaryJson, v -> summaryJson = v);
    }

    /**
     * Checks the summary file and the bodies' folder against {@code input} and the records:
     * the summary must not land on the records, their identity file or the input (it would
     * overwrite them at the end), and the folder must not be the records' file, nor hold any
     * of them under a body's name. Nothing is made here: the folder is, by {@link
     * #makeBodiesFolder}, once nothing else can refuse the command.
     */
    void check(String input) {
        if (retryFailed && !resume) {
            throw usage("--retry-failed needs --resume: it fetches again the failed items of"
                    + " the records --resume keeps");
        }
        Options.refuseEmptyName(command, "--output", output);
        Options.refuseEmptyName(command, "--summary-json", summaryJson);
        Options.refuseEmptyName(command, "--save-bodies", saveBodies);
        Path in = input.equals("-") ? redirectedStdin()
                : input.isBlank() ? null : UrlListReader.resolve(input);
        if (input.equals("-") && in != null && FilePaths.sameFile(output, in)) {
            // `fetch - -o list.txt < list.txt` emptied the list, then read nothing from it.
            throw usage("Invalid value for option '--output': " + output + " is the input"
                    + " (stdin is read from it), which writing the records would empty;"
                    + " choose another file");
        }
        if (in != null && recordsInto(in)) {
            // `fetch list.txt >> list.txt`, or -o /dev/fd/3 3>>list.txt: each record was read
            // back as a line, an input error with a record of its own, and the run fed itself
            // until it was killed or the disk filled.
            throw usage((output == null ? "stdout" : "Invalid value for option '--output': "
                    + output) + " is the input " + in + ", so the records written to it would"
                    + " be read back as input lines; send them to another file");
        }
        // Sent where the records go, the summary comes after them, or, on a stop, amid them:
        // no reader could tell them apart.
        if (namesStdout(summaryJson) && (output == null || namesStdout(output))) {
            throw usage("--summary-json " + summaryJson + (output == null
                    ? " names stdout, where the records go without -o (or with -o -)"
                    : " and --output " + output + " both name stdout")
                    + ", and the summary and the records would mix: give -o FILE for the"
                    + " records, or --summary-json FILE");
        }
        if (summaryJson != null && !summaryToStdout()) {
            checkSummary(in);
        }
        if (saveBodies != null) {
            if (output != null && real(output).equals(real(saveBodies))) {
                // -o y.jsonl --save-bodies y.jsonl made the folder, then refused -o as one.
                throw usage("--output and --save-bodies name the same path, " + saveBodies
                        + ": the records need a file there, the bodies a folder; choose "
                        + "another for one of them");
            }
            checkBodiesFolder(false);
            checkBodiesOverwriteNothing(in);
        }
    }

    /**
     * Makes the bodies' folder if need be, checks that it takes a new file, and claims it for
     * this run ({@link BodiesClaim}), before any request is sent: the last check of the
     * command, so that one refused for anything else leaves no folder behind. Does nothing
     * without --save-bodies, or once done.
     */
    void makeBodiesFolder() {
        if (saveBodies != null && !bodiesFolderMade) {
            for (Path folder = saveBodies.toAbsolutePath(); folder != null
                    && !Files.exists(folder, LinkOption.NOFOLLOW_LINKS);
                    folder = folder.getParent()) {
                bodiesFolderMadeFrom = folder;
            }
            checkBodiesFolder(true);
            try {
                bodiesClaim = BodiesClaim.take(saveBodies);
            } catch (IOException e) {
                unmakeBodiesFolder();
                throw usage("Invalid value for option '--save-bodies': " + (e instanceof
                        BodiesClaim.InUse ? e.getMessage() : "cannot write into " + saveBodies
                        + ": " + FileErrors.reason(e)));
            }
            bodiesFolderMade = true;
        }
    }

    /**
     * This run's claim on the bodies' folder, for the run's bodies to give up as they close
     * (a signal's exit too); null without --save-bodies.
     */
    BodiesClaim bodiesClaim() {
        return bodiesClaim;
    }

    /** Gives up this run's claim on the bodies' folder, as the run ends; idempotent. */
    void releaseBodiesFolder() {
        if (bodiesClaim != null) {
            bodiesClaim.close();
            bodiesClaim = null;
        }
    }

    /**
     * Warnings about the bodies' folder, none when all is well. A folder that holds a body of
     * an earlier run ({@code SEQ.body}) has this run, not a resume of it, leave that body
     * beside its own where no item of its replaces it: a listing of the folder mixes the
     * runs. A resume goes on in the folder its kept records name bodies in, whose bodies are
     * the run's own; told another, it keeps the run's bodies in two folders, and told none
     * (--save-bodies forgotten as the command was typed again), it saves no more of them.
     * Looks for one earlier body, not all: a folder may hold millions.
     *
     * @param journal the run's journal, whose kept records say where a resumed run saved its
     *     bodies (null: none)
     */
    List<String> bodiesWarnings(Journal journal) {
        List<String> kept = new ArrayList<>();
        if (resume && journal != null) {
            for (Path folder : journal.bodyFolders()) {
                kept.add(folder.toString().isEmpty() ? "." : folder.toString());
            }
            kept.sort(null);
        }
        if (saveBodies == null) {
            return kept.isEmpty() ? List.of() : List.of("the run being resumed saved its bodies"
                    + " (" + String.join(", ", kept) + "), and this run saves none; resume with"
                    + " --save-bodies " + kept.getFirst() + " to go on saving them");
        }
        if (resume && journal != null && journal.keptBodiesIn(saveBodies)) {
            return List.of();
        }
        List<String> warnings = new ArrayList<>();
        if (!kept.isEmpty()) {
            warnings.add("--save-bodies " + saveBodies + " is not where the run being resumed"
                    + " saved its bodies (" + String.join(", ", kept) + "): its kept records"
                    + " name bodies there, and this run's will name them in " + saveBodies
                    + "; resume with --save-bodies " + kept.getFirst() + " to keep them in one"
                    + " folder");
        }
        String earlier = earlierBody();
        if (earlier != null) {
            warnings.add("--save-bodies " + saveBodies + " holds bodies of an earlier run ("
                    + earlier + " among them): this run replaces those of the items it saves"
                    + " and leaves the others, so go by its records' body_file, or give it an"
                    + " empty folder");
        }
        return warnings;
    }

    /** The name of a {@code SEQ.body} in the bodies' folder; null when there is none. */
    private String earlierBody() {
        if (!Files.isDirectory(saveBodies)) {
            return null;
        }
        try (var bodies = Files.newDirectoryStream(saveBodies, "*.body")) {
            for (Path body : bodies) {
                String name = body.getFileName().toString();
                if (BODY_NAME.matcher(name).matches()) {
                    return name;
                }
            }
        } catch (IOException e) {
            // Unlisted, it is not said: the run itself finds out whether it can write there.
        }
        return null;
    }

    /**
     * Removes the bodies' folder, and those made above it, if {@link #makeBodiesFolder} made
     * them and they are still empty: for a run refused at its input's first read (a UTF-16
     * or compressed stdin, without -o FILE to wait for its first bytes before the folder is
     * made), which must leave nothing behind, as a command refused before it does.
     */
    void unmakeBodiesFolder() {
        releaseBodiesFolder();  // its mark would keep the folder from being empty
        for (Path folder = saveBodies == null ? null : saveBodies.toAbsolutePath();
                bodiesFolderMadeFrom != null && folder != null; folder = folder.getParent()) {
            try {
                Files.delete(folder);
            } catch (IOException e) {
                return;  // not empty (a body saved), or not ours to remove: it stays
            }
            if (folder.equals(bodiesFolderMadeFrom)) {
                return;
            }
        }
    }

    /**
     * Whether the bodies' folder can be made ({@code make}: is made) and takes a new file.
     * Checked before the journal too, making nothing, as far as the folders already there
     * tell: a folder made only as the output file is emptied cannot be refused without
     * leaving that file behind, made new.
     */
    private void checkBodiesFolder(boolean make) {
        try {
            if (make) {
                Files.createDirectories(saveBodies);
            } else {
                refuseIfCannotMake(saveBodies);
            }
        } catch (IOException e) {
            throw usage("Invalid value for option '--save-bodies': cannot make the folder "
                    + saveBodies + ": "
                    + (Files.exists(saveBodies) ? "a file of that name is there"
                    : Files.isSymbolicLink(saveBodies) ? "it is a link to nothing"
                    : FileErrors.reason(e)));
        }
        if (!Files.isDirectory(saveBodies)) {
            return;  // to be made in a folder that can be written, checked above
        }
        try {
            dev.bulkfetch.output.BodyStore.checkWritable(saveBodies);
        } catch (IOException e) {
            throw usage("Invalid value for option '--save-bodies': " + e.getMessage());
        }
    }

    /** Throws what making {@code dir} would, as far as the path there tells; makes nothing. */
    private static void refuseIfCannotMake(Path dir) throws IOException {
        Path target = dir.toAbsolutePath();
        Path there = target;
        while (there != null && !Files.exists(there)) {
            if (Files.isSymbolicLink(there)) {
                throw new java.nio.file.FileSystemException(there.toString(), null,
                        there + " is a link to nothing");
            }
            there = there.getParent();
        }
        if (there != null && !Files.isDirectory(there)) {
            throw there.equals(target) ? new java.nio.file.FileAlreadyExistsException(
                    there.toString()) : new java.nio.file.FileSystemException(
                    there.toString(), null, "Not a directory");
        }
        if (there != null && !there.equals(target) && !Files.isWritable(there)) {
            throw new java.nio.file.AccessDeniedException(there.toString());
        }
    }

    /**
     * Whether the records go as a stream (stdout, a descriptor's or a device's name) into
     * {@code in}; an output file that is the input is the journal's to refuse, as one that
     * writing would empty.
     */
    private boolean recordsInto(Path in) {
        Path to = output == null || isStdoutName(output) ? Path.of("/dev/stdout") : output;
        Path absolute = to.toAbsolutePath().normalize();
        return (absolute.startsWith("/dev/") || absolute.startsWith("/proc/"))
                && FilePaths.sameFile(to, in);
    }

    /** The file stdin reads, when it is one (a {@code < file} redirection), else null. */
    private static Path redirectedStdin() {
        Path stdin = Path.of("/dev/stdin");
        return Files.isRegularFile(stdin) ? stdin : null;
    }

    private void checkSummary(Path in) {
        // Written only at the end: a path that cannot take it must not cost the run first.
        Path folder = summaryJson.toAbsolutePath().getParent();
        String unusable = Files.isDirectory(summaryJson) ? "it is a folder"
                : folder != null && !Files.isDirectory(folder) ? "there is no folder " + folder
                : folder != null && !Files.isWritable(folder) && !Files.isWritable(summaryJson)
                        ? "the folder " + folder + " cannot be written"
                // Written through: a link's file must take it, wherever the link stands.
                : Files.isSymbolicLink(summaryJson) && Files.exists(summaryJson)
                        && !Files.isWritable(summaryJson)
                        ? "the file it links to cannot be written" : null;
        if (unusable != null) {
            throw usage("Invalid value for option '--summary-json': cannot write "
                    + summaryJson + ": " + unusable);
        }
        // Only a file can be overwritten: -o and --summary-json may share /dev/null.
        boolean aFile = !Files.exists(summaryJson) || Files.isRegularFile(summaryJson);
        String clash = !aFile ? null
                : FilePaths.sameFile(summaryJson, output) ? "the output file"
                : output != null && FilePaths.sameFile(summaryJson, identityFile())
                        ? "the output file's identity file"
                : in != null && FilePaths.sameFile(summaryJson, in) ? "the input" : null;
        if (clash != null) {
            throw usage("Invalid value for option '--summary-json': " + summaryJson + " is "
                    + clash + ", which the summary would overwrite; choose another file");
        }
    }

    /** The output file's identity file: beside the file, which -o may name through a link. */
    Path identityFile() {
        try {
            return Journal.identityFile(Journal.resolve(output));
        } catch (IOException unreadableLink) {
            return Journal.identityFile(output);
        }
    }

    /**
     * The bodies' folder must not hold a file of this run's named as a body is ({@code
     * SEQ.body}), by its own name or through a link: the list {@code 1.body} was replaced by
     * the first item's body, and an output file so named got bodies and records mixed.
     */
    private void checkBodiesOverwriteNothing(Path in) {
        Map<Path, String> ours = new LinkedHashMap<>();
        if (in != null) {
            ours.put(in, "the input");
        }
        if (output != null) {
            ours.put(output, "the output file");
            ours.put(identityFile(), "the output file's identity file");
        }
        if (summaryJson != null && !summaryToStdout()) {
            ours.put(summaryJson, "the summary file");
        }
        Path bodies = real(saveBodies);
        ours.forEach((file, what) -> {
            Path parent = file.toAbsolutePath().getParent();
            Path named = parent == null ? null : real(parent).resolve(file.getFileName());
            for (Path where : new Path[] {named, real(file)}) {
                if (where != null && bodies.equals(where.getParent())
                        && BODY_NAME.matcher(where.getFileName().toString()).matches()) {
                    throw usage("Invalid value for option '--save-bodies': " + saveBodies
                            + " holds " + file + ", " + what + ", which a body (named "
                            + "SEQ.body) would overwrite; choose another folder");
                }
            }
        });
    }

    /** {@code path} with its links resolved, as far as it exists. */
    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException notThere) {
            return path.toAbsolutePath().normalize();
        }
    }

    /**
     * The output file as a journal (read back with --resume), before anything is sent, so an
     * unwritable file or a mismatched resume costs no request; null when writing to stdout.
     * The input is read as {@code format}, which says which of its lines are items. For a
     * stdin run, {@code beforeEmptying} runs once the file is locked and a new run on it
     * allowed, before it is emptied ({@link Journal.BeforeEmptying}).
     *
     * @throws Journal.Refused when the file cannot be the journal asked for (a resume against
     *     another input, a run on the same file, a new run on an unfinished one's): no usage
     *     mistake, so it goes to Main as it is, whose message says all, without the pointer
     *     to --help a usage error gets
     */
    Journal openJournal(String input, InputReader.Format format,
                        Journal.BeforeEmptying beforeEmptying)
            throws Journal.Refused, InputUnavailableException {
        if (output == null) {
            if (resume || overwrite) {
                throw usage((resume ? "--resume" : "--overwrite")
                        + " needs -o FILE: the output file is the journal");
            }
            return null;
        }
        if (resume && input.equals("-")) {
            throw usage("--resume needs the input as a file: stdin cannot be read twice");
        }
        if (resume && overwrite) {
            throw usage("--resume and --overwrite cannot go together: --resume keeps the "
                    + "records in " + output + ", --overwrite empties it");
        }
        try {
            Path source = input.equals("-") ? null : UrlListReader.resolve(input);
            if (source == null) {
                return Journal.open(output, null, InputReader.Format.AUTO, false, overwrite,
                        beforeEmptying);
            }
            Journal journal = Journal.open(output, source, format, resume, overwrite);
            try {
                return retryFailed ? journal.withoutFailures() : journal;
            } catch (IOException | RuntimeException e) {
                journal.close();
                throw e;
            }
        } catch (IllegalArgumentException e) {
            throw usage("Invalid value for option '--output': " + e.getMessage());
        } catch (Journal.Refused | InputUnavailableException e) {
            throw e;
        } catch (java.nio.file.NoSuchFileException e) {
            throw usage("cannot write output file " + output + ": there is no folder "
                    + output.toAbsolutePath().getParent());
        } catch (java.nio.file.AccessDeniedException e) {
            throw usage("cannot write output file " + e.getFile() + ": permission denied");
        } catch (IOException e) {
            throw usage("cannot write output file " + output + ": " + e.getMessage());
        }
    }

    /**
     * Removes an earlier run's summary, once the run is sure to start: one saying all_ok must
     * not outlive a run that dies before writing its own (a full disk, a kill), and a run
     * refused as a usage error must not take it either.
     */
    void removeEarlierSummary() {
        // A file named '-' is no summary of ours: '-' is stdout.
        if (summaryJson == null || summaryToStdout() || toAStream(summaryJson)) {
            return;  // a device's, a log's or a terminal's: the summary is appended to it
        }
        try {
            if (Files.isRegularFile(summaryJson, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(summaryJson);
            } else if (Files.isSymbolicLink(summaryJson) && Files.isRegularFile(summaryJson)) {
                // A link of the user's to a file of theirs: the file emptied, the link kept.
                try (FileChannel file = FileChannel.open(summaryJson,
                        StandardOpenOption.WRITE)) {
                    file.truncate(0);
                }
            }
        } catch (IOException e) {
            // Not worth the run, whose output is open already (after a review: a link to a
            // file made immutable ended it, its -o emptied): the summary's write at the end
            // fails too, and says why.
        }
    }

    /**
     * Whether {@code path} leads where a stream goes: a device or a pipe (/dev/null,
     * /dev/stdout to a terminal), or the file stdout or stderr was sent to, which may hold a
     * log appended to ({@code >> runs.log}) that emptying it would lose. A regular file
     * elsewhere in /dev (/dev/shm) is a file like any.
     */
    static boolean toAStream(Path path) {
        return Files.exists(path) && !Files.isRegularFile(path)
                || FilePaths.sameFile(path, Path.of("/dev/stdout"))
                || FilePaths.sameFile(path, Path.of("/dev/stderr"));
    }

    /**
     * Whether {@code path} is stdout: '-', one of its names, or the regular file it was sent
     * to ({@code > out.txt}). A device is not, though stdout may go there too: -o and
     * --summary-json may share /dev/null, or /dev/stderr a log with stdout ({@code > log 2>&1}).
     */
    private static boolean namesStdout(Path path) {
        if (path == null) {
            return false;
        }
        if (isStdoutName(path)) {
            return true;
        }
        return Files.isRegularFile(path) && FilePaths.sameFile(path, Path.of("/dev/stdout"));
    }

    /** Whether --summary-json is '-', stdout, as the input's and -o's '-' are. */
    boolean summaryToStdout() {
        return summaryJson != null && summaryJson.toString().equals("-");
    }

    /**
     * Whether {@code path} is stdout by name: '-' or a name of it in /dev or /proc. Written to,
     * it is the stream the process was given, not a file opened again: opened again, it had an
     * offset of its own, and a shell's next write to the file stdout went to ({@code { echo
     * start; bulkfetch fetch L -o /dev/stdout; echo end; } > log}) landed over the records.
     */
    static boolean isStdoutName(Path path) {
        return path != null && (path.toString().equals("-")
                || STDOUT_NAMES.contains(path.toAbsolutePath().normalize().toString()));
    }

    /** Whether {@code path} is stderr by name, which is written as stdout's names are. */
    static boolean isStderrName(Path path) {
        return path != null
                && STDERR_NAMES.contains(path.toAbsolutePath().normalize().toString());
    }

    private ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }
}
