package dev.bulkfetch.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The names of the files and folders compare makes in its folder for a while, and the removal
 * of those a compare killed outright (kill -9, the OOM killer, a power cut) left there: a run's
 * measurement and log, a failed run's log as it is rewritten, the copies of the list the runs
 * read, a report file as it is written beside its name, the check that the folder takes a file.
 *
 * <p>Each name begins with {@link #PREFIX}, then has a shape of its own, which ends in the
 * random part its maker drew: a name that only begins so (a user's
 * {@code .bulkfetch-compare-notes.txt}) is none of them, and is never removed. A run's log that
 * is kept (a failed run's, named in the table) leaves these names first, for
 * {@code measured-run-...log}, so no later compare takes it for a leftover.
 */
public final class ScratchFiles {

    /** What every such name begins with. */
    public static final String PREFIX = ".bulkfetch-compare-";
    /** A folder of copies of the list the runs read, with a random number after it. */
    public static final String LISTS = PREFIX + "lists-";
    /** The file that shows the folder takes one, with a random number after it. */
    public static final String WRITABLE = PREFIX + "writable-";
    /** A run's measurement: a random number and {@code .json} after it. */
    static final String MEASUREMENT = PREFIX + "measured-";
    /** A failed run's log as it is rewritten: a random number and {@code .log} after it. */
    static final String REWRITE = PREFIX + "failed-";
    private static final String RUN_LOG = PREFIX + "run-";
    private static final String KEPT_LOG = "measured-run-";

    private static final Pattern NAMES = Pattern.compile(Pattern.quote(PREFIX) + "(?:"
            + "measured-\\d+\\.json"
            + "|run-[a-z]+(?:-[a-z]+)*-c\\d+-\\d+-\\d+\\.log"
            + "|failed-\\d+\\.log"
            + "|lists-\\d+"
            + "|writable-\\d+"
            + "|(?:runs\\.json|report\\.html)-[0-9a-z]+\\.part)");

    private ScratchFiles() {
    }

    /** The beginning of the name of a run's log, a random number and {@code .log} after it. */
    static String runLog(String engine, int concurrency, int runNumber) {
        return RUN_LOG + engine + "-c" + concurrency + "-" + runNumber + "-";
    }

    /** The name {@code runLog}, a run's log, is kept under: none a later compare removes. */
    static Path kept(Path runLog) {
        String name = runLog.getFileName().toString();
        return name.startsWith(RUN_LOG)
                ? runLog.resolveSibling(KEPT_LOG + name.substring(RUN_LOG.length())) : runLog;
    }

    /** A new name beside {@code file} to write it under before it is moved over it. */
    static Path part(Path file) {
        return file.resolveSibling(PREFIX + file.getFileName() + "-" + Long.toUnsignedString(
                ThreadLocalRandom.current().nextLong(), 36) + ".part");
    }

    /** Whether {@code name} is one compare gives its files while it runs. */
    static boolean isScratch(String name) {
        return NAMES.matcher(name).matches();
    }

    /**
     * Removes from {@code folder} every file and folder named as compare's own while it runs,
     * a folder with what is in it: called by a compare that holds the folder's lock, so no
     * other compare is writing there, and each is a killed one's. What cannot be removed
     * stays, as it would have without this: the compare goes on all the same.
     */
    static void removeLeftovers(Path folder) {
        try (var names = Files.newDirectoryStream(folder,
                entry -> isScratch(entry.getFileName().toString()))) {
            for (Path left : names) {
                try {
                    removeTree(left);
                } catch (IOException e) {
                    // Stays.
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            // The folder cannot be listed: its report may still be written.
        }
    }

    private static void removeTree(Path top) throws IOException {
        if (!Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(top);
            return;
        }
        // Not following links: a link in the copies' folder goes, never what it points to.
        try (var tree = Files.walk(top)) {
            for (Path file : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
