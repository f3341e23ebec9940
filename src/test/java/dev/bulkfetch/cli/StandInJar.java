package dev.bulkfetch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's tests run it on a small stand-in jar (via {@code BULKFETCH_JAR}),
 * built for each test, so a recording takes a second rather than the real training
 * run's several. A test class extends this for the stand-in and the ways to launch it.
 */
abstract class StandInJar {

    static final Path LAUNCHER = Path.of("bulkfetch").toAbsolutePath();
    static final String RECORDING = "recording the start-up cache";

    @TempDir
    Path dir;
    Path jar;

    record Result(int exit, String stdout, String stderr) {
    }

    @BeforeEach
    void standInJar() throws IOException {
        // The launcher records the cache with this JDK too: the test's JVM is the one Maven got
        // from the launcher, and JAVA_HOME, which the launcher tries first, is passed on.
        assumeTrue(Runtime.version().feature() >= 25, "the ahead-of-time cache needs JDK 25");
        // The launcher starts the tool's main class by name, so the stand-in has that name.
        Path source = Files.writeString(dir.resolve("Main.java"), """
                package dev.bulkfetch.cli;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        if (args.length > 0 && args[0].equals("train")
                                && System.getenv("APP_FAIL_TRAINING") != null) {
                            System.exit(3);
                        }
                        if (args.length > 0 && args[0].equals("train")
                                && System.getenv("APP_ENDLESS_TRAINING") != null) {
                            // A recording the test stops, with a process of its own, as
                            // JDK 25 starts a JVM at the recording's end to write the cache.
                            new ProcessBuilder("sleep", "121").start();
                            Thread.sleep(120_000);
                        }
                        if (args.length > 0 && args[0].equals("train")
                                && System.getenv("APP_TRAINING_OPTION") != null) {
                            // The recording's own JVM, which the run cannot ask.
                            String name = System.getenv("APP_TRAINING_OPTION");
                            String value;
                            try {
                                value = java.lang.management.ManagementFactory
                                        .getPlatformMXBean(com.sun.management
                                                .HotSpotDiagnosticMXBean.class)
                                        .getVMOption(name).getValue();
                            } catch (IllegalArgumentException e) {
                                value = "unreadable (a diagnostic option, locked)";
                            }
                            java.nio.file.Files.writeString(java.nio.file.Path.of(
                                    System.getenv("APP_TRAINING_OPTION_TO")), name + "=" + value);
                        }
                        if (System.getenv("APP_PRINT_CLASS_PATH") != null) {
                            System.out.println(System.getProperty("java.class.path"));
                            return;
                        }
                        if (args.length > 0 && args[0].equals("read-stdin")) {
                            System.out.println("stdin: " + System.in.readAllBytes().length
                                    + " bytes");
                            return;
                        }
                        if (args.length > 1 && args[0].equals("property")) {
                            System.out.println(System.getProperty(args[1]));
                            return;
                        }
                        if (args.length > 1 && args[0].equals("vm-option")) {
                            System.out.println(java.lang.management.ManagementFactory
                                    .getPlatformMXBean(
                                            com.sun.management.HotSpotDiagnosticMXBean.class)
                                    .getVMOption(args[1]).getValue());
                            return;
                        }
                        if (args.length > 0 && args[0].equals("reflect")) {
                            System.out.println(Main.class.getMethod("accessor").invoke(null));
                            return;
                        }
                        if (args.length > 0 && args[0].equals("library-path")) {
                            System.out.println(System.getProperty("java.library.path"));
                            return;
                        }
                        System.out.println("ran " + String.join(" ", args));
                    }

                    /** How a reflective call reached it: a native accessor's frame, or not. */
                    public static String accessor() {
                        for (StackTraceElement frame : new Throwable().getStackTrace()) {
                            if (frame.isNativeMethod()) {
                                return "native accessor";
                            }
                        }
                        return "method handle";
                    }
                }
                """);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        int javac = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d",
                classes.toString(), source.toString());
        assertThat(javac).isZero();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.bulkfetch.cli.Main");
        jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("dev/bulkfetch/cli/Main.class"));
            out.write(Files.readAllBytes(classes.resolve("dev/bulkfetch/cli/Main.class")));
            out.closeEntry();
            // As Netty's native transport sits in the real jar.
            out.putNextEntry(new JarEntry("META-INF/native/libstandin.so"));
            out.write(new byte[] {1, 2, 3});
            out.closeEntry();
        }
    }

    Result launch(Map<String, String> env, String... args) throws Exception {
        return launch(List.of("bash", LAUNCHER.toString()), env, args);
    }

    Result launch(List<String> launcher, Map<String, String> env, String... args)
            throws Exception {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("BULKFETCH_JAR", jar.toString());
        builder.environment().remove("BULKFETCH_AOT");
        builder.environment().remove("BULKFETCH_JAVA_OPTS");
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), Files.readString(dir.resolve("stdout.txt")),
                Files.readString(dir.resolve("stderr.txt")));
    }

    /**
     * Starts {@code count} launches of {@code launcher} at once, each running "hello" with its
     * output in outN.txt and errN.txt; {@code env} goes over this JDK and no options.
     */
    List<Process> startAtOnce(int count, Path launcher, Map<String, String> env)
            throws IOException {
        List<Process> starts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ProcessBuilder builder = new ProcessBuilder("bash", launcher.toString(), "hello")
                    .redirectOutput(dir.resolve("out" + i + ".txt").toFile())
                    .redirectError(dir.resolve("err" + i + ".txt").toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().remove("BULKFETCH_AOT");
            builder.environment().remove("BULKFETCH_JAVA_OPTS");
            builder.environment().putAll(env);
            starts.add(builder.start());
        }
        return starts;
    }

    void makeJarNewer() throws IOException {
        // As a rebuild does; a second ahead, so file systems with coarse times see it too.
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(2)));
    }
}
