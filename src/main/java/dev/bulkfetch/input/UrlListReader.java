package dev.bulkfetch.input;

import dev.bulkfetch.FetchRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A URL list read lazily, one absolute http or https URL a line. Blank lines and {@code #}
 * comments are skipped but counted, so an item's {@code seq} is its line number. A line that is
 * not a usable URL becomes a {@link InputItem.Rejected} naming the problem; reading goes on.
 *
 * <p>Only the current line is held in memory, so a list of any length streams through.
 */
public final class UrlListReader extends LineItemReader {

    /** Longest line accepted; longer lines are rejected without being buffered. */
    static final int MAX_LINE_BYTES = 8 * 1024;
    private static final int MAX_RAW_IN_RECORD = 200;
    private static final String SPEC_READ_AS_URL = "begins with '{', as no URL does: a JSON"
            + " Lines request spec? --input-format jsonl reads them (auto does for a .jsonl or"
            + " .ndjson name)";
    private static final String NO_SCHEME =
            "URL has no scheme: an absolute http:// or https:// URL is needed";
    // Credentials and an @, if any (group 1); a host name, an IPv4 or a bracketed IPv6
    // address, and a port (group 2); then anything from a path, a query or a fragment on
    // (group 3).
    // http:// with no authority at all, which java.net.URI refuses rather than reads.
    private static final Pattern NOTHING_AFTER_SCHEME = Pattern.compile(
            "(?i)https?://([?#].*)?");
    private static final Pattern HOST_AND_PORT = Pattern.compile(
            "(?:([A-Za-z0-9._~!$&'()*+,;=:%-]*)@)?"
                    + "((?:[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*|\\[[0-9A-Fa-f:.]+]):[0-9]{1,5})"
                    + "([/?#].*)?",
            Pattern.DOTALL);

    private final RequestTemplate template;
    // Lines that begin with '{', as a JSON Lines request spec does and no URL does.
    private final LineNotes specLines = new LineNotes();

    UrlListReader(InputStream in, RequestTemplate template) {
        this(in, "-", template);
    }

    /** Reads {@code in}, which is {@code source} to the user ({@code -} for stdin). */
    UrlListReader(InputStream in, String source, RequestTemplate template) {
        super(in, source, MAX_LINE_BYTES);
        this.template = template;
    }

    /**
     * Opens {@code source}: a file path, a name under {@code urls/}, or {@code -} for
     * {@code stdin}.
     *
     * @throws InputUnavailableException when the file cannot be opened
     */
    public static UrlListReader open(String source, InputStream stdin, RequestTemplate template)
            throws InputUnavailableException {
        return new UrlListReader(source.equals("-") ? stdin : openFile(source), source,
                template);
    }

    /** The file {@code source} names: itself, or the same name under {@code urls/}. */
    public static Path resolve(String source) {
        Path path = Path.of(source);
        if (!Files.exists(path) && !path.isAbsolute() && Files.exists(Path.of("urls", source))) {
            return Path.of("urls", source);
        }
        return path;
    }

    static InputStream openFile(String source) throws InputUnavailableException {
        return openFile(source, Long.MAX_VALUE);
    }

    /** As {@link #openFile(String)}, read no further than its first {@code maxBytes}. */
    static InputStream openFile(String source, long maxBytes) throws InputUnavailableException {
        if (source.isBlank()) {
            // Path.of("") is the current folder: "input  is a directory" said nothing useful.
            throw new InputUnavailableException("no input named: the input's name is empty",
                    null);
        }
        Path path = resolve(source);
        // Before the try, whose last catch would wrap this in "cannot read input ...".
        if (Files.isDirectory(path)) {
            throw new InputUnavailableException("input " + source + " is a folder, not a URL "
                    + "list", null);
        }
        try {
            InputStream in = Files.newInputStream(path);
            // Refused here too, not only by its first read: before a run empties -o. Not a
            // pipe, whose first bytes may be a long time coming.
            return prefix(Files.isRegularFile(path) ? ByteOrderMarks.refusingForeign(in, source)
                    : in, maxBytes);
        } catch (InputUnavailableException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new InputUnavailableException("input file not found: " + source, e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new InputUnavailableException("cannot read input " + source
                    + ": permission denied", e);
        } catch (IOException e) {
            throw new InputUnavailableException("cannot read input " + source + ": "
                    + e.getMessage(), e);
        }
    }

    /** {@code in} as far as its first {@code maxBytes}: itself when that is no bound. */
    static InputStream prefix(InputStream in, long maxBytes) {
        return maxBytes == Long.MAX_VALUE ? in : new InputPrefix(in, maxBytes);
    }

    @Override
    InputItem parse(long seq, String text, int lead) {
        if (text.startsWith("{")) {
            // No URL begins with a brace: a request spec read as a URL (stdin, a file with
            // another name than auto knows). Its line is no part of the record, where its
            // headers would show a secret; its "url" is, when it reads as a string.
            specLines.note(seq);
            return rejected(seq, null, BrokenSpec.fields(text).url(), template.method(),
                    SPEC_READ_AS_URL);
        }
        Object parsed = urlOrProblem(text, i -> column(text, lead, i));
        if (parsed instanceof String problem) {
            return rejected(seq, null, text, template.method(), problem);
        }
        URI url = template.mapUrl((URI) parsed);
        return new InputItem.Request(new FetchRequest(seq, null, url, template.method(),
                template.headers(), null));
    }

    @Override
    InputItem unreadable(long seq, String text, String problem) {
        // A spec too long for a URL list's line (one with a body): its start is no URL either.
        boolean spec = text.strip().startsWith("{");
        if (spec) {
            specLines.note(seq);
        }
        return rejected(seq, null, spec ? null : text, template.method(), spec
                ? problem + " (a JSON Lines request spec? --input-format jsonl reads them)"
                : problem);
    }

    /**
     * The lines read so far that begin with '{', as a JSON Lines request spec does and no URL
     * does, each an input error: for a note said once, where the records say it a line each.
     */
    @Override
    public LineNotes specLines() {
        return specLines;
    }

    /**
     * A rejected line's item: its URL as written, cut, and its password masked, in the problem
     * too, which may quote a piece of it ({@code port 's3'} of {@code ann:s3/cret@host}).
     */
    static InputItem.Rejected rejected(long seq, String id, String text, String method,
                                       String problem) {
        return rejected(seq, id, false, text, method, problem);
    }

    /** As above, for a spec's line: {@code idIsNumber} when its id is a whole number. */
    static InputItem.Rejected rejected(long seq, String id, boolean idIsNumber, String text,
                                       String method, String problem) {
        String password = text == null ? null : UrlPasswords.find(text);
        // Well-formed: a spec's url or method may hold a lone surrogate, and the problem may
        // quote it.
        return new InputItem.Rejected(seq, id, idIsNumber,
                text == null ? null : Shown.wellFormed(cut(text)), Shown.wellFormed(method),
                Shown.wellFormed(password == null ? problem
                        : UrlPasswords.scrub(problem, password)));
    }

    /** Why {@code text}, a line of its own, is not a usable URL, or {@code null} when it is one. */
    static String problemWith(String text) {
        return urlOrProblem(text, i -> column(text, 0, i)) instanceof String problem ? problem
                : null;
    }

    /**
     * {@code text} as a URI, or, when it is not a usable URL, why not (a String), naming the
     * character at {@code i} of {@code text} as {@code column.applyAsInt(i)}: its column in the
     * line as written, which may hold more than {@code text}.
     */
    static Object urlOrProblem(String text, IntUnaryOperator column) {
        int before = 0;
        for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
            int c = text.codePointAt(i);
            // The joiners belong to words of scripts that need them (Persian, the Indic
            // scripts, IDN labels allow them there) and to emoji sequences: after such a
            // letter or emoji they are its, not damage (found in review).
            boolean joins = (c == 0x200C || c == 0x200D) && before > 0x7F;
            before = c;
            String unseen = joins ? null : unseen(c);
            if (unseen != null) {
                return "URL contains " + unseen + " at column " + column.applyAsInt(i);
            }
        }
        URI uri;
        String ascii = Urls.toAscii(text);
        try {
            uri = new URI(ascii);
        } catch (URISyntaxException e) {
            if (withoutScheme(text) instanceof String problem) {
                return problem;
            }
            if (NOTHING_AFTER_SCHEME.matcher(text).matches()) {
                // "Expected authority at column 8", java.net.URI's words for http://.
                return "URL has no host";
            }
            // A column counts in the line as written; in an encoded copy it would point elsewhere.
            return "not a valid URL: " + e.getReason() + (ascii.equals(text) && e.getIndex() >= 0
                    ? " at column " + column.applyAsInt(e.getIndex()) : "");
        }
        if (uri.getScheme() == null) {
            return NO_SCHEME;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return withoutScheme(text) instanceof String problem ? problem
                    : "scheme '" + uri.getScheme() + "' is not supported: http and https only";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            // java.net.URI gives no host, rather than an error, for an authority it cannot
            // read as host and port: say what is wrong with what is there.
            String authority = uri.getRawAuthority();
            if (authority == null || authority.isEmpty()) {
                return "URL has no host";
            }
            String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
            int colon = hostPort.endsWith("]") ? -1 : hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            String port = colon < 0 ? "" : hostPort.substring(colon + 1);
            if (host.isEmpty()) {
                return "URL has no host";
            }
            if (!port.isEmpty() && !port.matches("\\d{1,5}")) {
                return "port '" + port + "' is not a number from 1 to 65535";
            }
            return "'" + host + "' is not a host name or an IP address: "
                    + Urls.whyNoHost(host);
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            return "port " + uri.getPort() + " is not a number from 1 to 65535";
        }
        String ambiguous = Urls.ambiguousIpv4(uri.getHost());
        return ambiguous != null ? ambiguous : uri;
    }

    /**
     * What {@code c} is, for a message, when a URL may not hold it as written, or null. A
     * space or a tab ends a URL to every other tool, so one inside is the line's mistake. A
     * control character, an invisible one (a zero-width space or joiner, a bidi control, a byte
     * order mark past the line's start) or a no-break space is garbage or copy-paste damage
     * that was sent percent-encoded, where curl refuses control bytes; each is named, as no
     * one sees it in the line. Letters of any script are none of these.
     */
    private static String unseen(int c) {
        if (Character.isWhitespace(c)) {
            return c == ' ' ? "a space" : c == '\t' ? "a tab"
                    : String.format("white space (U+%04X)", c);
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL -> String.format("a control character U+%04X", c);
            case Character.FORMAT -> String.format("an invisible character U+%04X (%s)", c,
                    name(c));
            // Only the no-break spaces get here: the other separators are white space.
            case Character.SPACE_SEPARATOR -> String.format("a %s U+%04X", name(c), c);
            default -> null;
        };
    }

    /** The Unicode name of {@code c}, in lower case as a message has it. */
    private static String name(int c) {
        String name = Character.getName(c);
        return name == null ? "unnamed" : name.toLowerCase(Locale.ROOT);
    }

    /**
     * Why {@code text} is no URL when it is a host and a port without a scheme, or null. To
     * java.net.URI, {@code localhost:8080/x} is the scheme 'localhost', and
     * {@code 127.0.0.1:8080/x} a scheme that may not begin with a digit: messages about a
     * scheme, where the line has none; so were credentials before them ({@code
     * ann:s3cret@localhost:8080/x}, the scheme 'ann'; {@code ann@localhost:8080/x}, an illegal
     * character in a scheme). Asked only of a line that is not http or https, so
     * {@code http:8080/x} stays a URL without a host. The suggestion keeps the user name and
     * masks the password, as a record does.
     */
    private static String withoutScheme(String text) {
        Matcher hostAndPort = HOST_AND_PORT.matcher(text);
        if (!hostAndPort.matches()) {
            return null;
        }
        String credentials = hostAndPort.group(1) == null ? "" : hostAndPort.group(1) + "@";
        // TLS's ports suggest https: http to them gets a TLS alert, or nothing, back.
        String port = hostAndPort.group(2).substring(hostAndPort.group(2).lastIndexOf(':') + 1);
        String scheme = port.equals("443") || port.equals("8443") ? "https://" : "http://";
        return NO_SCHEME + ", such as " + UrlPasswords.masked(scheme + credentials
                + hostAndPort.group(2)) + (hostAndPort.group(3) == null ? "" : "/...");
    }

    /** {@code text} for a record: its password masked first, as a cut may leave no @. */
    static String cut(String text) {
        return Shown.cut(UrlPasswords.masked(text), MAX_RAW_IN_RECORD);
    }

    /** What every request from a plain URL list gets: a method, headers, a URL rewrite. */
    public record RequestTemplate(String method, Map<String, String> headers,
                                  UnaryOperator<URI> urlMapper) {
        public static final RequestTemplate GET = new RequestTemplate("GET", Map.of(),
                UnaryOperator.identity());

        URI mapUrl(URI url) {
            return urlMapper.apply(url);
        }

        /** This template, with URLs rewritten by {@code mapper}. */
        public RequestTemplate withUrlMapper(UnaryOperator<URI> mapper) {
            return new RequestTemplate(method, headers, mapper);
        }
    }
}
