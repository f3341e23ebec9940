package dev.bulkfetch.cli;

import dev.bulkfetch.input.InputReader;
import dev.bulkfetch.input.InputUnavailableException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What to say for a curl option a command does not have. Picocli's nearest names mislead
 * there: {@code fetch -d x urls.txt} was offered {@code --deny-private}, while the request
 * bodies it was after come from a JSON Lines input. And a URL where the list goes, as curl
 * takes it, was only "input file not found".
 */
final class CurlHabits {

    private static final String SPECS = "README, \"API backfills: rates, retries and request"
            + " specs\"";

    /** curl's option names, by what they are for: a header's, the header they send. */
    private static final Map<String, String> PURPOSE = Map.ofEntries(
            Map.entry("-d", "body"), Map.entry("--data", "body"),
            Map.entry("--data-binary", "body"), Map.entry("--data-raw", "body"),
            Map.entry("--data-ascii", "body"), Map.entry("--data-urlencode", "body"),
            Map.entry("--json", "body"), Map.entry("-F", "body"), Map.entry("--form", "body"),
            Map.entry("-T", "body"), Map.entry("--upload-file", "body"),
            Map.entry("-X", "method"), Map.entry("--request", "method"),
            Map.entry("-I", "method"), Map.entry("--head", "method"),
            Map.entry("-u", "Authorization: Basic ..."),
            Map.entry("--user", "Authorization: Basic ..."),
            Map.entry("-A", "User-Agent: ..."), Map.entry("--user-agent", "User-Agent: ..."),
            Map.entry("-b", "Cookie: ..."), Map.entry("--cookie", "Cookie: ..."),
            Map.entry("-L", "redirects"), Map.entry("--location", "redirects"),
            Map.entry("-m", "timeout"), Map.entry("--max-time", "timeout"));

    private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*");

    private CurlHabits() {
    }

    /** {@link InputReader#checkOpens}, saying how to fetch a URL given as the list's name. */
    static void checkOpens(String input) throws InputUnavailableException {
        try {
            InputReader.checkOpens(input);
        } catch (InputUnavailableException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) {
                throw e;
            }
            throw new InputUnavailableException(e.getMessage() + urlAsList(input, true), e);
        }
    }

    /**
     * What to say after "input file not found" when the name is a URL (nothing otherwise):
     * how to give it as a list, through stdin for {@code fetch} and, for {@code compare},
     * which reads its list in every run, as a file of a command's output.
     */
    static String urlAsList(String input, boolean fetch) {
        if (!URL.matcher(input).matches()) {
            return "";
        }
        String echo = "echo '" + input.replace("'", "'\\''") + "'";
        return " (a URL: the argument is a list of them; for one, " + (fetch
                ? echo + " | bulkfetch fetch -" : "bulkfetch compare <(" + echo + ")") + ")";
    }

    /**
     * The hint for {@code arg} ({@code -d}, {@code --data=x}, {@code -dx}) given to {@code
     * command}, which lacks it; null when it is no curl option this knows.
     */
    static String hint(String arg, CommandSpec command) {
        String name = arg.startsWith("--") ? arg.split("=", 2)[0]
                : arg.length() > 2 ? arg.substring(0, 2) : arg;
        String purpose = PURPOSE.get(name);
        if (purpose == null || command.findOption(name) != null) {
            return null;
        }
        String specs = "a JSON Lines input (one request spec a line: "
                + (command.findOption("--input-format") != null
                ? "--input-format jsonl, automatic for a" : "a") + " .jsonl or .ndjson file)";
        String says = switch (purpose) {
            case "body" -> "request bodies come from " + specs + ", each line's \"body\" field"
                    + " (with its \"method\"), as {\"url\": \"...\", \"method\": \"POST\","
                    + " \"body\": {...}}; see " + SPECS;
            case "method" -> command.findOption("--method") != null
                    ? "the method is -X, --method (HEAD too)"
                    : "the method comes from " + specs + ", each line's \"method\" field; see "
                    + SPECS;
            case "redirects" -> "redirects are followed without it (see --max-redirects)";
            case "timeout" -> "the time a request may take is --timeout";
            default -> "give it as a header, " + (command.findOption("--header") != null
                    ? "-H '" + purpose + "'"
                    : "in each line's \"headers\" of " + specs + "; see " + SPECS);
        };
        return "bulkfetch " + command.name() + " has no " + name + " (curl's): " + says + ".";
    }
}
