package dev.bulkfetch.cli;

import dev.bulkfetch.EngineKind;
import dev.bulkfetch.input.HttpSyntax;
import dev.bulkfetch.input.InputReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

/**
 * Declares picocli options in code, each bound to a field by a getter and a setter.
 *
 * <p>Why not picocli's annotations: reading them is reflection, paid at every start. For
 * {@code fetch}, the JDK's first annotation proxies and picocli's model built from them took
 * about 85 ms of a one-URL run (JDK 25, start-up cache in use); the same model declared in code
 * takes about 25 ms. Every command is declared this way, so there is one way to read them.
 */
final class Options {

    private final CommandSpec command;

    Options(CommandSpec command) {
        this.command = command;
    }

    /** An option named {@code names}, to be completed with its type, label and description. */
    static OptionSpec.Builder option(String... names) {
        return OptionSpec.builder(names);
    }

    /** A flag: on when given, off otherwise. */
    static OptionSpec.Builder flag(String... names) {
        return option(names).type(boolean.class);
    }

    /** An option whose value is a duration such as 250ms, 5s, 2m or 1m30s. */
    static OptionSpec.Builder duration(String... names) {
        return option(names).paramLabel("DURATION").type(Duration.class)
                .converters(new Units.DurationConverter());
    }

    /** {@code --input-format}, as fetch and compare read their list. */
    static OptionSpec.Builder inputFormat() {
        return option("--input-format").paramLabel("FORMAT").type(String.class)
                .defaultValue("auto")
                .description("urls (one URL a line), jsonl (request specs), or auto: "
                        + "jsonl for a .jsonl or .ndjson file, else urls "
                        + "(default: ${DEFAULT-VALUE}).");
    }

    /** The format {@code --input-format} names: a usage error naming the option if none. */
    static InputReader.Format inputFormat(CommandLine command, String name) {
        try {
            return InputReader.Format.fromName(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command,
                    "Invalid value for option '--input-format': " + e.getMessage());
        }
    }

    /**
     * Adds {@code option}, whose parsed (or default) value goes to {@code set}. The field's
     * value now is the option's initial value, as picocli takes it from an annotated field.
     */
    <T> Options add(OptionSpec.Builder option, Supplier<T> get, Consumer<T> set) {
        command.addOption(option.initialValue(get.get()).getter(getter(get))
                .setter(setter(get, set)).build());
        return this;
    }

    /** Adds {@code parameter}, whose parsed value goes to {@code set}. */
    <T> Options add(PositionalParamSpec.Builder parameter, Supplier<T> get, Consumer<T> set) {
        command.addPositional(parameter.initialValue(get.get()).getter(getter(get))
                .setter(setter(get, set)).build());
        return this;
    }

    /** {@code -h/--help} and {@code -V/--version}, as picocli's standard help options. */
    Options helpAndVersion(IVersionProvider version) {
        command.versionProvider(version);
        command.addOption(option("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        command.addOption(option("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        return this;
    }

    /** The command these options are declared on. */
    CommandSpec command() {
        return command;
    }

    // picocli's getter and setter have generic methods, which a lambda cannot implement.
    private static <T> IGetter getter(Supplier<T> get) {
        return new IGetter() {
            @Override
            @SuppressWarnings("unchecked")
            public <V> V get() {
                return (V) get.get();
            }
        };
    }

    private static <T> ISetter setter(Supplier<T> get, Consumer<T> set) {
        return new ISetter() {
            @Override
            @SuppressWarnings("unchecked")
            public <V> V set(V value) {
                V previous = (V) get.get();
                set.accept((T) value);
                return previous;
            }
        };
    }

    /**
     * {@code apply}'s result; an {@link IllegalArgumentException} (or other failure) from it
     * comes out prefixed with {@code option}, which the commands turn into a usage error naming
     * that option.
     */
    static <T> T named(String option, java.util.function.Supplier<T> apply) {
        try {
            return apply.get();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses an empty name given to {@code option}, a file's or a folder's: {@code
     * Path.of("")} is the current folder, where bodies went, and of which -o '' said "is a
     * folder" and --cacert '' "cannot read : Is a directory".
     */
    static void refuseEmptyName(CommandSpec command, String option, java.nio.file.Path path) {
        if (path != null && path.toString().isBlank()) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(),
                    invalidValue(option, "the name is empty"));
        }
    }

    /**
     * The usage error's text for {@code message}: one that {@link #named} prefixed names its
     * option; any other is put under {@code option}, or under no option when that is null.
     */
    static String invalidValue(String option, String message) {
        int colon = message.indexOf(": ");
        if (message.startsWith("-") && colon > 0) {
            return "Invalid value for option '" + message.substring(0, colon) + "'"
                    + message.substring(colon);
        }
        return option == null ? "Invalid value: " + message
                : "Invalid value for option '" + option + "': " + message;
    }

    /** {@code n} as an ordinal: 1st, 2nd, 3rd, 4th, 11th, 21st, for a message to count by. */
    static String ordinal(int n) {
        return n + (n % 100 / 10 == 1 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        });
    }

    /** {@code n} {@code noun}s, one of them singular: "1 record", "2 records", "0 records". */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /**
     * -H values as a header map. A bad one is a usage error naming which, but not showing its
     * value: that is where tokens go (it was printed, control characters and all).
     */
    static Map<String, String> headerMap(CommandLine command, List<String> headers) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < headers.size(); i++) {
            String header = headers.get(i);
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new ParameterException(command, "Invalid value for option "
                        + "'--header': the " + ordinal(i + 1)
                        + " -H must be 'Name: value'");
            }
            String name = header.substring(0, colon).strip();
            try {
                // strip(), not only the spaces headerValue drops: a value from $(cat file)
                // may end in a Windows line break.
                HttpSyntax.put(map, name, header.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(command, "Invalid value for option "
                        + "'--header': " + e.getMessage());
            }
        }
        return map;
    }

    /**
     * -H values as a header map for a run on {@code engines}, refused when one of them cannot
     * send one of the headers (an Expect header on the JDK's client): once here, naming what
     * to do {@code instead}, rather than as an input error on every item.
     */
    static Map<String, String> headerMap(CommandLine command, List<String> headers,
                                         List<EngineKind> engines, String instead) {
        Map<String, String> map = headerMap(command, headers);
        List<String> cannot = new ArrayList<>();
        for (EngineKind engine : engines) {
            if (!map.keySet().stream().allMatch(engine::sendsHeader)) {
                cannot.add(engine.cliName());
            }
        }
        if (!cannot.isEmpty()) {
            throw new ParameterException(command, "Invalid value for option '--header': "
                    + theEngines(cannot) + " cannot send an Expect header (the JDK's"
                    + " HttpURLConnection waits up to 5 s for each 100 Continue and cannot give"
                    + " a 417 as a status); " + instead);
        }
        return map;
    }

    /**
     * The -X method in upper case for a run on {@code engines}: a usage error when it is no
     * method, or when one of them cannot send it, once here, naming what to do
     * {@code instead}, rather than as an input error on every item.
     */
    static String method(CommandLine command, String method, List<EngineKind> engines,
                         String instead) {
        String upper;
        try {
            upper = HttpSyntax.method(method);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command, "Invalid value for option '--method': "
                    + e.getMessage());
        }
        List<String> cannot = new ArrayList<>();
        for (EngineKind engine : engines) {
            if (!engine.sends(upper)) {
                cannot.add(engine.cliName());
            }
        }
        if (!cannot.isEmpty()) {
            throw new ParameterException(command, "Invalid value for option '--method': "
                    + theEngines(cannot) + " cannot send " + upper + " (the JDK's"
                    + " HttpURLConnection sends only GET, POST, HEAD, OPTIONS, PUT, DELETE and"
                    + " TRACE); " + instead);
        }
        return upper;
    }

    /** "the threads engine", "the threads, virtual engines". */
    private static String theEngines(List<String> names) {
        return "the " + String.join(", ", names) + " engine" + (names.size() == 1 ? "" : "s");
    }
}
