package dev.bulkfetch.output;

import dev.bulkfetch.input.InputReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * The output file as a journal, for {@code --resume}. A record is written only once its item is
 * finished, so the records in the file are exactly the items that are done; on resume they are
 * read back before anything is sent, a torn last line (a kill in the middle of a write) is cut
 * off, and only items with no record are fetched. An item that was in flight at the crash has no
 * record and is fetched again: missed, never skipped.
 *
 * <p>Beside the file, {@code FILE.input} (kept by {@code InputIdentity}) records the input's
 * identity (path, size, a checksum of its content), so a resume against another input is
 * refused instead of mixing two runs, and, on a second line, {@code running} while a run is
 * under way. A new run without {@code --resume} on the file of a run that never ended is
 * refused unless told to overwrite it: run again without the flag after a crash, and hours of
 * records were emptied. Only the mark refuses: the files of earlier versions, which have none,
 * start afresh as before.
 *
 * <p>The records are of the input as far as its identity measured it, which is all a run
 * reads ({@link #inputBytes()}, a resume too), so a list appended to meanwhile still matches
 * it (every resume was refused); what was written past it is {@link #inputGrowth()}.
 *
 * <p>The file is locked for as long as the journal is open ({@link LockedFile}), so a second
 * run on it (a cron job that overlaps, a supervisor restarting a run still alive) is refused
 * before it touches the file: two runs fetched every item twice, at twice the rate, and wrote
 * both records.
 */
public final class Journal implements AutoCloseable {

    private final Path file;
    // Null for a stream (a pipe, a device), which is no journal.
    private final LockedFile lock;
    // The lock's channel, which every read and write goes through; null for a stream.
    private final FileChannel channel;
    // The records kept from earlier runs, read back; none for a new run.
    private final KeptRecords records;
    private final long tornBytes;
    private final boolean resumable;
    // The input the records are of, and how much of it; null: stdin, or no identity kept.
    private final Path input;
    private final InputIdentity.Extent extent;
    // Kept records of items not ok that were dropped, for the run to fetch them again.
    private final long dropped;

    private Journal(Path file, LockedFile lock, KeptRecords records, long tornBytes,
                    boolean resumable, Path input, InputIdentity.Extent extent, long dropped) {
        this.file = file;
        this.lock = lock;
        this.channel = lock == null ? null : lock.channel();
        this.records = records;
        this.tornBytes = tornBytes;
        this.resumable = resumable;
        this.input = input;
        this.extent = extent;
        this.dropped = dropped;
    }

    /**
     * Opens {@code file} for a run over {@code input}. Without {@code resume} the file starts
     * empty. With it, the records already there are kept and counted as done.
     *
     * @throws CannotResume when resuming against another input than the journal's, from an
     *     input that cannot be read again, or from a file whose records cannot be read back,
     *     or that holds two records of one item, or one of a seq past the input's last line,
     *     or of a line of it that is no item (blank, or a comment)
     * @throws IllegalArgumentException when {@code file} is a folder, when it or the identity
     *     file beside it is {@code input} itself, or when resuming from a file that is not a
     *     regular file
     * @throws InUse when another run has the file open as its journal
     */
    public static Journal open(Path file, Path input, boolean resume) throws IOException {
        return open(file, input, resume, false);
    }

    /**
     * As {@link #open(Path, Path, boolean)}; a new run ({@code resume} false) on the file of a
     * run that did not finish is refused with {@link Unfinished}, unless {@code overwrite}. A
     * new run is marked running at once; a resumed one at {@link #started()}.
     */
    public static Journal open(Path file, Path input, boolean resume, boolean overwrite)
            throws IOException {
        return open(file, input, InputReader.Format.AUTO, resume, overwrite);
    }

    /**
     * As {@link #open(Path, Path, boolean, boolean)}, which reads the input as its name says
     * ({@link InputReader.Format#AUTO}), for an input read as {@code format}: it says which
     * of the input's lines are items, and a resume refuses a record of any other line. The
     * format it comes to for the input is recorded, and a resume that reads it as the other is
     * refused.
     */
    public static Journal open(Path file, Path input, InputReader.Format format, boolean resume,
                               boolean overwrite) throws IOException {
        return open(file, input, format, resume, overwrite, () -> { });
    }

    /** What a run does before its journal's file is emptied, under the lock: see below. */
    @FunctionalInterface
    public interface BeforeEmptying {
        void run() throws IOException;
    }

    /**
     * As {@link #open(Path, Path, InputReader.Format, boolean, boolean)}, running
     * {@code beforeEmptying} once the file is locked and a new run on it allowed, before it is
     * emptied: a stdin's first bytes are waited for there, so that a second run on the file is
     * refused at once and a stdin that is refused leaves the records of the run before it. What
     * it throws is thrown, the file as it was.
     */
    public static Journal open(Path file, Path input, InputReader.Format format, boolean resume,
                               boolean overwrite, BeforeEmptying beforeEmptying)
            throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a folder, not a file");
        }
        if (isStream(file)) {
            // A device or a pipe (-o /dev/null, -o >(gzip > out.gz)): the records stream into
            // it, but it cannot be read back, so it is no journal: nothing is written beside
            // it, and there is nothing to resume from.
            if (resume) {
                throw new IllegalArgumentException("cannot resume from " + file + ": "
                        + whyNotReadBack(file));
            }
            return new Journal(file, null, KeptRecords.NONE, 0, false, null,
                    InputIdentity.Extent.UNBOUNDED, 0);
        }
        Path given = file;
        file = resolve(file);
        InputIdentity identityFile = new InputIdentity(file);
        if (input != null) {
            // Opening either would empty the list before its first line was read.
            refuseIfSame(file, input, "output file " + file);
            refuseIfSame(identityFile.file(), input, "file " + identityFile.file()
                    + " (the input's identity, written beside the output file)");
        }
        // Only a regular file can be read again: a pipe's content (bulkfetch <(gen) -o ...)
        // would be used up by the checksum, and resuming from it cannot be.
        boolean readTwice = input != null && Files.isRegularFile(input);
        if (resume && input != null && !readTwice) {
            throw new CannotResume("cannot resume from " + input
                    + ": the input is not a regular file (a pipe?), so it cannot be read again",
                    null);
        }
        boolean existed = Files.exists(file);
        // A new run's, before the file is emptied: an input that cannot be read costs nothing.
        // A resume reads the input as its check needs, under the lock.
        InputIdentity.Taken taken = readTwice && (!resume || !existed)
                ? InputIdentity.take(input, format) : null;
        LockedFile lock = LockedFile.takeAsNamed(file, InUse::new);
        FileChannel channel = lock.channel();
        try {
            identityFile.adoptFrom(given);
            if (!resume && !overwrite && existed && channel.size() > 0
                    && identityFile.unfinished()) {
                throw new Unfinished(file, readTwice);
            }
            if (!resume || !existed) {
                beforeEmptying.run();
                channel.truncate(0);
                if (taken == null) {
                    identityFile.forget();
                } else {
                    identityFile.begin(taken.identity());
                }
                return new Journal(file, lock, KeptRecords.NONE, 0, true, input,
                        taken == null ? InputIdentity.Extent.UNBOUNDED : taken.extent(), 0);
            }
            return scan(file, lock, input, format, identityFile.check(input, format));
        } catch (Throwable e) {
            lock.release();
            throw e;
        }
    }

    /**
     * The file cannot be the journal asked for, for a reason of its own and not a mistake in
     * the command line: the message says why, and what to do.
     */
    public abstract static sealed class Refused extends IOException
            permits Unfinished, CannotResume, InUse {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A new run on the output file of a run that did not finish, which --resume goes on. */
    public static final class Unfinished extends Refused {
        Unfinished(Path file, boolean resumable) {
            super("output file " + file + " holds the records of a run that did not finish"
                    + " (its input is in " + identityFile(file).getFileName() + "): "
                    + (resumable ? "run with --resume to go on from them (with that input), or"
                            + " with --overwrite to start again"
                            : "run with --overwrite to start again, or write to another file"),
                    null);
        }
    }

    /** A --resume that cannot go on from the file it was given: the message says why. */
    public static final class CannotResume extends Refused {
        CannotResume(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Another run has the output file open as its journal. */
    public static final class InUse extends Refused {
        InUse(Path file) {
            super("output file " + file + " is being written by another run (its journal is "
                    + "locked): let that run end, or write to another file", null);
        }
    }

    private static void refuseIfSame(Path written, Path input, String what) {
        if (FilePaths.sameFile(written, input)) {
            throw new IllegalArgumentException("the " + what + " is the input " + input
                    + ": writing it would overwrite the list; choose another output file");
        }
    }

    /**
     * Why a stream's records cannot be read back: a descriptor's name ({@code -o /dev/fd/3
     * 3>>out.jsonl}) may stand for a regular file, which is then named: a run given its own
     * path keeps what a resume needs beside it.
     */
    private static String whyNotReadBack(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        boolean descriptor = absolute.startsWith("/dev/fd/") || absolute.getNameCount() > 3
                && absolute.getName(0).toString().equals("proc")
                && absolute.getName(2).toString().equals("fd");  // self, or the process's id
        if (descriptor) {
            try {
                Path target = file.toRealPath();
                if (Files.isRegularFile(target)) {
                    return "it names an open file descriptor, written as a stream with "
                            + "nothing kept beside it to resume from; a run that is to be resumed "
                            + "writes to the file by its own path: -o " + target;
                }
            } catch (IOException e) {
                // A pipe's or a closed descriptor's: said as for any stream below.
            }
        }
        return "it is not a regular file, so its records cannot be read back";
    }

    /**
     * Whether the output {@code file} is a stream rather than a file to keep: a pipe or a
     * device, or anything under /dev or /proc ({@code /dev/stdout}, {@code /proc/self/fd/1}
     * and {@code /proc/PID/fd/1} read as the file the shell redirected it to, and no identity
     * file can go beside it: taken for a journal, that file was emptied, the shell's own lines
     * in it lost).
     */
    private static boolean isStream(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return Files.exists(file) && !Files.isRegularFile(file)
                || absolute.startsWith("/dev/") || absolute.startsWith("/proc/");
    }

    /** Reads the kept records of {@code extent} of the input back, and cuts a torn line off. */
    private static Journal scan(Path file, LockedFile lock, Path input,
                                InputReader.Format format, InputIdentity.Extent extent)
            throws IOException {
        FileChannel channel = lock.channel();
        KeptRecords records = KeptRecords.read(file, channel, input, format, extent);
        long size = channel.size();
        if (records.end() < size) {
            channel.truncate(records.end());
        }
        return new Journal(file, lock, records, size - records.end(), true, input, extent, 0);
    }

    /**
     * The file the journal {@code file} is: the file a link names, followed even before it
     * exists (ln -s runs/r1.jsonl latest.jsonl, then -o latest.jsonl). Its identity file and
     * mark are kept beside it: beside the link, a run through it found neither, started
     * afresh and emptied an unfinished run's records.
     */
    public static Path resolve(Path file) throws IOException {
        Path path = file;
        for (int hops = 0; Files.isSymbolicLink(path) && hops < 40; hops++) {
            Path target = Files.readSymbolicLink(path);
            Path parent = path.toAbsolutePath().getParent();
            path = parent == null ? target : parent.resolve(target).normalize();
        }
        return path;
    }

    /** Where the identity of the input of journal {@code file} is kept: beside it. */
    public static Path identityFile(Path file) {
        return InputIdentity.fileOf(file);
    }

    /** True when item {@code seq} already has its record. */
    public boolean isDone(long seq) {
        return records.done().contains(seq);
    }

    /** The bytes the done-set holds its seqs in: for tests of its size. */
    long doneFootprintBytes() {
        return records.done().footprintBytes();
    }

    /** Records kept from earlier runs. */
    public long kept() {
        return records.kept();
    }

    /**
     * This resume's journal without the kept records of items that were not ok, so the run
     * fetches those items again ({@code --retry-failed}). The file is written anew beside
     * itself and moved over itself, held throughout ({@link LockedFile#replacedBy}): a crash
     * leaves it as it was or without those records, never half written. It is marked running
     * first, so a new run without {@code --resume} on a file a crash left so is refused, and
     * a resume fetches what it lacks; a rewrite that fails (a full disk, a folder not
     * writable) leaves the file and its mark as they were. This journal is spent: the one
     * returned has the file.
     */
    public Journal withoutFailures() throws IOException {
        if (lock == null || records.failures() == 0) {
            return this;
        }
        InputIdentity identityFile = new InputIdentity(file);
        boolean wasRunning = identityFile.unfinished();
        mark(true);
        long end = channel.size();
        LockedFile.Replacement<KeptRecords> replaced;
        try {
            replaced = lock.replacedBy(file, rewritePart(file),
                    to -> KeptRecords.keepOk(channel, end, records, to));
        } catch (IOException | RuntimeException e) {
            // The file as it was, and so its mark: a finished run's stays finished.
            try {
                identityFile.mark(wasRunning);
            } catch (IOException markFailed) {
                e.addSuppressed(markFailed);
            }
            throw e;
        }
        return new Journal(file, replaced.hold(), replaced.written(), tornBytes, resumable,
                input, extent, records.failures());
    }

    /** Where {@link #withoutFailures()} writes the file anew: beside it, hidden. */
    static Path rewritePart(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".bulkfetch-rewrite.part");
    }

    /**
     * The folders the kept records name bodies in ({@code body_file}), as they wrote them.
     * Those of the records {@link #withoutFailures()} dropped are among them.
     */
    public Set<Path> bodyFolders() {
        return records.bodyFolders();
    }

    /**
     * Whether the kept records name a body in {@code folder}: whether a resume that saves its
     * bodies there goes on saving where the run did, so that a {@code SEQ.body} there of an
     * item it fetches again is the run's own.
     */
    public boolean keptBodiesIn(Path folder) {
        for (Path kept : records.bodyFolders()) {
            if (FilePaths.sameFile(kept, folder)) {
                return true;
            }
        }
        return false;
    }

    /** Kept records of items not ok that {@link #withoutFailures()} dropped. */
    public long dropped() {
        return dropped;
    }

    /** Kept records of items that were not ok: the run as a whole is not all ok. */
    public long keptFailures() {
        return records.failures();
    }

    /** Whether a later run can resume from the file: false for a pipe or a device. */
    public boolean resumable() {
        return resumable;
    }

    /**
     * How much of the input the run reads: the bytes its identity covers, so the records are
     * of the input it names though the input grows as the run goes on; Long.MAX_VALUE when
     * there is no identity (stdin, a pipe, records to a stream), which bounds nothing.
     */
    public long inputBytes() {
        return extent.bytes();
    }

    /**
     * The input's lines the run reads, as its identity counts them (blank lines and comments
     * too, as an item's seq does): the progress line's total. Long.MAX_VALUE when there is no
     * identity, which knows none.
     */
    public long inputLines() {
        return extent.lines();
    }

    /**
     * What was written to the input past the bytes the run reads ({@link #inputBytes()}),
     * as of now: none of it was fetched. Null when nothing was, or there is no identity.
     */
    public InputGrowth inputGrowth() throws IOException {
        return input == null || extent == InputIdentity.Extent.UNBOUNDED ? null
                : InputGrowth.past(input, extent);
    }

    /** Bytes of a torn last line that were cut off. */
    public long tornBytes() {
        return tornBytes;
    }

    /**
     * After a failed write (a full disk): cuts the file back to its last complete line, so it
     * is a valid journal to resume from. Best effort; resume cuts a torn line too.
     */
    public void cutTornTail() {
        if (channel == null || !channel.isOpen()) {
            return;
        }
        try {
            long end = channel.size();
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            while (end > 0) {
                one.clear();
                channel.read(one, end - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                end--;
            }
            channel.truncate(end);
        } catch (IOException e) {
            // Nothing more can be done here; --resume cuts a torn last line as well.
        }
    }

    /**
     * The file, for appending after the kept records. Closing the stream only flushes it: the
     * journal keeps the file, and its lock, until {@link #close()}, so a torn tail can still be
     * cut under the lock.
     */
    public OutputStream append() throws IOException {
        if (channel == null) {
            return Files.newOutputStream(file, StandardOpenOption.APPEND);
        }
        return Unclosed.of(Channels.newOutputStream(channel.position(channel.size())));
    }

    /**
     * A resumed run is under way: until {@link #finished()}, a new run without --resume on the
     * file is refused. Not at open: a resume that fails to start leaves the file as it was (but
     * for {@link #withoutFailures()}, which the command line asks for as it opens the file).
     */
    public void started() throws IOException {
        mark(true);
    }

    /**
     * Every item of the input has its record: a new run may start on the file afresh. Before
     * {@link #close()}, under the lock.
     */
    public void finished() throws IOException {
        mark(false);
    }

    private void mark(boolean running) throws IOException {
        if (channel != null) {  // a stream has no identity file
            new InputIdentity(file).mark(running);
        }
    }

    /** Releases the file, and its lock, to other runs; idempotent. */
    @Override
    public void close() throws IOException {
        if (lock != null) {
            lock.release();
        }
    }
}
