package dev.bulkfetch.output;

import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The names of a run's body parts, {@code .bulkfetch-PID-sSTART-RANDOM-N.part}, which tell a
 * later run whether the run that made them has ended: its process id, and when that process
 * started (milliseconds since the epoch), since Linux hands a dead run's id to a new process
 * sooner or later (ids wrap at 32,768 on many systems), and a thread's id names a process to
 * the JDK there too. By the id alone, the parts of a killed run stayed for good once its id
 * was taken again, hidden and at full size.
 */
final class PartNames {

    static final String PREFIX = ".bulkfetch-";
    static final String SUFFIX = ".part";

    private PartNames() {
    }

    /** The start of this process's part names, random past its id and start. */
    static String ofThisRun() {
        ProcessHandle self = ProcessHandle.current();
        return PREFIX + self.pid() + "-" + start(self).map(at -> "s" + at.toEpochMilli() + "-")
                .orElse("") + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())
                + "-";
    }

    /**
     * Whether {@code name} is a part of a run that has ended: no process has its id, or the
     * one that has it started at another time. False for a name not made here (a user's file
     * may look like a part), and for a part whose name has no start (made before names had
     * one) while a process has its id.
     */
    static boolean ofEndedRun(String name) {
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
            return false;
        }
        String[] fields = name.substring(PREFIX.length()).split("-");
        try {
            Optional<ProcessHandle> owner = ProcessHandle.of(Long.parseLong(fields[0]));
            if (owner.isEmpty()) {
                return true;
            }
            if (fields.length < 4 || !fields[1].startsWith("s")) {
                return false;
            }
            long started = Long.parseLong(fields[1].substring(1));
            return start(owner.get()).map(at -> at.toEpochMilli() != started).orElse(false);
        } catch (NumberFormatException e) {
            return false;  // not a name this store gives: not ours to delete
        }
    }

    private static Optional<Instant> start(ProcessHandle process) {
        return process.info().startInstant();
    }
}
