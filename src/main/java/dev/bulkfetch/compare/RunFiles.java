package dev.bulkfetch.compare;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The files compare's runs make beside the shared log (each run's measurement and log, a
 * failed run's log rewritten, the shared log itself), and the one switch that ends their
 * making: {@link #close()}, which compare's tidy-ups call when it quits at once or its JVM
 * shuts down.
 *
 * <p>Those tidy-ups run on a signal's thread while the runs' thread may still be stopping its
 * run: moving the run's standard error into runs.log, or, its JVM killed, writing its log as
 * a failed run's. A file it made after the tidy-up had looked stayed behind (runs.log was once
 * made again after its removal). So every file is made under this object's lock, which {@link
 * #close()} takes to refuse any more; what goes into a file is written after the lock is
 * released (runs.log may be a pipe no one reads, a hung disk), and once the file is removed it
 * goes to no name.
 *
 * <p>This also knows which logs are failed runs' (named in the table, kept): the rest are the
 * run going on's, which is stopped, not failed, whatever its standard error holds. The files
 * are named as {@link ScratchFiles} names them; a log kept leaves that name for one no later
 * compare removes.
 */
public final class RunFiles {

    /** The shared log's name, in the runs' folder. */
    public static final String LOG = "runs.log";

    private final Path log;
    private final Runnable beforeAppending;
    // The three guarded by this: made on the runs' thread, closed on a tidy-up's.
    private boolean closed;
    private final Set<Path> made = new LinkedHashSet<>();
    private final Set<Path> failedLogs = new LinkedHashSet<>();

    /** The runs' files in {@code folder}, beside its runs.log. */
    public RunFiles(Path folder) {
        this(folder.resolve(LOG), () -> { });
    }

    /**
     * The runs' files beside {@code log}; {@code beforeAppending} runs as the runs' thread is
     * about to write into it, before the lock: a test's way to hold it there.
     */
    RunFiles(Path log, Runnable beforeAppending) {
        this.log = log;
        this.beforeAppending = beforeAppending;
    }

    Path folder() {
        return log.getParent();
    }

    /** A new file in the folder, as {@link Files#createTempFile(Path, String, String)}. */
    synchronized Path newFile(String prefix, String suffix) throws IOException {
        refuseIfClosed(folder().resolve(prefix + "*" + suffix));
        Path file = Files.createTempFile(folder(), prefix, suffix);
        made.add(file);
        return file;
    }

    /** Starts {@code builder}'s process, whose redirects make its files again when gone. */
    synchronized Process start(ProcessBuilder builder) throws IOException {
        refuseIfClosed(folder());
        return builder.start();
    }

    /** Moves {@code source}, a file made here, over {@code target}, one made here too. */
    synchronized void replace(Path source, Path target) throws IOException {
        refuseIfClosed(target);
        Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Keeps {@code runLog}, a run's log made here, as a failed run's, unless the files are
     * closed; returns where it is kept ({@link #keep}).
     */
    synchronized Path keepAsFailed(Path runLog) {
        if (closed) {
            return runLog;
        }
        Path kept = keep(runLog);
        failedLogs.add(kept);
        return kept;
    }

    /**
     * Keeps {@code runLog}, a run's log made here, under the name of a log kept for the user
     * ({@link ScratchFiles#kept}), which no later compare takes for a killed one's leftover;
     * returns that name. When the files are closed, or the log cannot be moved, it stays
     * where it is, and that is returned.
     */
    synchronized Path keep(Path runLog) {
        if (closed) {
            return runLog;
        }
        Path kept = ScratchFiles.kept(runLog);
        try {
            Files.move(runLog, kept);
            return kept;
        } catch (IOException e) {
            return runLog;
        }
    }

    /** Appends {@code bytes} to the shared log, made for them when it is not there. */
    void append(byte[] bytes) throws IOException {
        beforeAppending.run();
        synchronized (this) {
            refuseIfClosed(log);
            try {
                Files.createFile(log);
            } catch (FileAlreadyExistsException there) {
                // As it should be after the first run: appended to.
            }
        }
        // Without CREATE: a log removed by the tidy-up meanwhile is not made again.
        Files.write(log, bytes, StandardOpenOption.APPEND);
    }

    /**
     * Makes no file from now on, removes those made that are no failed run's log (the run
     * going on's, stopped), and returns the failed runs' logs, which the table names. A file
     * that cannot be removed stays: this runs as compare ends.
     */
    public List<Path> close() {
        List<Path> remove = new ArrayList<>();
        List<Path> kept;
        synchronized (this) {
            closed = true;
            made.stream().filter(file -> !failedLogs.contains(file)).forEach(remove::add);
            kept = List.copyOf(failedLogs);
        }
        for (Path file : remove) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // Stays.
            }
        }
        return kept;
    }

    // Holding this object's lock.
    private void refuseIfClosed(Path file) throws IOException {
        if (closed) {
            throw new FileSystemException(file.toString(), null, "compare is quitting");
        }
    }
}
