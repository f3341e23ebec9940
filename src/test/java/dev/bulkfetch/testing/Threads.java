package dev.bulkfetch.testing;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Where a thread is waiting, for a test that must act while it waits there. State and stack
 * come from one snapshot: read apart (getAllStackTraces, then getState), a thread seen in one
 * method and then waiting in another passed for one waiting in the first, and a test's
 * precondition was false now and then.
 */
public final class Threads {

    private Threads() {
    }

    /**
     * Whether {@code thread} is parked (waiting, timed or not) with each of {@code frames} on
     * its stack, each given as the end of {@code Class.method}
     * ({@code "StreamResults.hasNext"}).
     */
    public static boolean waitingIn(Thread thread, String... frames) {
        return waiting(ManagementFactory.getThreadMXBean()
                .getThreadInfo(thread.threadId(), Integer.MAX_VALUE), frames);
    }

    /** As {@link #waitingIn(Thread, String...)}, for any platform thread named {@code name}. */
    public static boolean anyWaitingIn(String name, String... frames) {
        return Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(false, false))
                .filter(info -> info.getThreadName().equals(name))
                .anyMatch(info -> waiting(info, frames));
    }

    /**
     * Whether a platform thread whose name starts with {@code prefix} has each of {@code
     * frames} on its stack, in any state: one blocked in a socket read is RUNNABLE, in native
     * code.
     */
    public static boolean anyAt(String prefix, String... frames) {
        return Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(false, false))
                .filter(info -> info.getThreadName().startsWith(prefix))
                .anyMatch(info -> on(info, frames));
    }

    /**
     * As {@link #anyAt(String, String...)}, for any virtual thread whose name starts with
     * {@code prefix}: the thread MXBean sees none, so this reads the JDK's thread dump, which
     * shows them all.
     */
    public static boolean anyVirtualAt(String prefix, String... frames) {
        try {
            Path dump = Files.createTempDirectory("threads").resolve("dump.txt");
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump.toString(), ThreadDumpFormat.TEXT_PLAIN);
                // One block a thread, its head (#23 "name" virtual WAITING ...), then its
                // frames ("    at java.base/sun.nio.ch.NioSocketImpl.read(...)").
                return Stream.of(Files.readString(dump).split("\\R\\R"))
                        .map(thread -> thread.strip().lines().toList())
                        .filter(lines -> !lines.isEmpty()
                                && lines.get(0).contains(" \"" + prefix)
                                && lines.get(0).contains(" virtual "))
                        .anyMatch(lines -> Stream.of(frames).allMatch(frame -> lines.stream()
                                .map(String::strip).filter(line -> line.startsWith("at "))
                                .map(line -> line.substring(3, line.indexOf('(')))
                                .anyMatch(at -> at.endsWith(frame))));
            } finally {
                Files.deleteIfExists(dump);
                Files.delete(dump.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean on(ThreadInfo info, String... frames) {
        return Stream.of(frames).allMatch(frame -> Arrays.stream(info.getStackTrace())
                .anyMatch(at -> (at.getClassName() + "." + at.getMethodName())
                        .endsWith(Objects.requireNonNull(frame))));
    }

    private static boolean waiting(ThreadInfo info, String... frames) {
        if (info == null || (info.getThreadState() != Thread.State.WAITING
                && info.getThreadState() != Thread.State.TIMED_WAITING)) {
            return false;
        }
        return on(info, frames);
    }
}
