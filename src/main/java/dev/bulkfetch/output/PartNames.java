package dev.bulkfetch.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The names of a run's body parts, {@code .bulkfetch-PID-sSTART-RANDOM-N.part}, which tell a
 * later run whether the run that made them has ended: its process id, and when that process
 * started, since Linux hands a dead run's id to a new process sooner or later (ids wrap at
 * 32,768 on many systems), and a thread's id names a process to the JDK there too. By the id
 * alone, the parts of a killed run stayed for good once its id was taken again, hidden and at
 * full size.
 *
 * <p>The start is the kernel's own count, in clock ticks since boot ({@code /proc/PID/stat}),
 * not a time of day: the JDK's start instant adds the boot time each JVM read as it started,
 * which moves when the clock is stepped (NTP), so two runs could see one live run start a
 * second apart, and the later run deleted the parts the live one was writing. Where there is
 * no {@code /proc}, names carry no start, and a live process of the id keeps its parts.
 */
final class PartNames {

    static final String PREFIX = ".bulkfetch-";
    static final String SUFFIX = ".part";

    private PartNames() {
    }

    /** The start of this process's part names, random past its id and start. */
    static String ofThisRun() {
        long pid = ProcessHandle.current().pid();
        OptionalLong start = startTicks(pid);
        return PREFIX + pid + "-" + (start.isPresent() ? "s" + start.getAsLong() + "-" : "")
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-";
    }

    /**
     * Whether {@code name} is a part of a run that has ended: no process has its id, or the
     * one that has it started at another time. False for a name not made here (a user's file
     * may look like a part), and for a part whose name has no start while a process has its
     * id.
     */
    static boolean ofEndedRun(String name) {
        return ofEndedRun(name, SUFFIX);
    }

    /** As {@link #ofEndedRun(String)}, for a name of this kind ending in {@code suffix}. */
    static boolean ofEndedRun(String name, String suffix) {
        long pid = pidOf(name);
        if (pid < 0 || !name.endsWith(suffix)) {
            return false;  // not a name this store gives: not ours to delete
        }
        String[] fields = name.substring(PREFIX.length()).split("-");
        try {
            if (fields.length >= 4 && fields[1].startsWith("s")) {
                // One read of the process's start says both whether it lives and whether it
                // is the run's; only where it cannot be read is the process looked up.
                OptionalLong now = startTicks(pid);
                if (now.isPresent()) {
                    return now.getAsLong() != Long.parseLong(fields[1].substring(1));
                }
            }
            return ProcessHandle.of(pid).isEmpty();
        } catch (NumberFormatException e) {
            return false;  // a start that is no number: not a name this store gives
        }
    }

    /** The process id a name of this kind carries; -1 for a name not made here. */
    static long pidOf(String name) {
        if (!name.startsWith(PREFIX)) {
            return -1;
        }
        String rest = name.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        try {
            return dash < 0 ? -1 : Long.parseLong(rest.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * When process (or thread) {@code pid} started, in clock ticks since boot: the 22nd field
     * of its {@code /proc} stat line, counted after its name, which may hold spaces and
     * parentheses of its own. Empty where it cannot be read.
     */
    static OptionalLong startTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return OptionalLong.of(Long.parseLong(fields[19]));  // fields from the 3rd on
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
