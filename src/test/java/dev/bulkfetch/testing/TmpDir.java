package dev.bulkfetch.testing;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** The system's temporary folder, as a command run in this JVM sees it, a test's own. */
public final class TmpDir {

    private TmpDir() {
    }

    /**
     * Runs {@code run}, a command in this JVM, with {@code tmp} as its temporary folder: the
     * command reads java.io.tmpdir as it makes its folder there (the JDK's own temporary files
     * read it once per JVM). The machine's own holds the folders of other builds' commands
     * too, which come and go while a test looks (compare's and train's tests failed so, with a
     * second build's tests running).
     */
    public static <T> T inTemporaryFolder(Path tmp, Callable<T> run) throws Exception {
        String was = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
        try {
            return run.call();
        } finally {
            System.setProperty("java.io.tmpdir", was);
        }
    }
}
