package dev.bulkfetch.input;

import dev.bulkfetch.FetchRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;
import java.util.function.UnaryOperator;

/** An input read lazily, item by item: a URL list or JSON Lines request specs. */
public interface InputReader extends Iterator<InputItem>, AutoCloseable {

    @Override
    void close() throws IOException;

    /** What the input holds. */
    enum Format {
        /** One URL a line. */
        URLS,
        /** One JSON request spec a line. */
        JSONL,
        /**
         * JSON Lines when the file name ends in {@code .jsonl} or {@code .ndjson} (the two
         * names JSON Lines goes by), else URLs: stdin, which has no name, too.
         */
        AUTO;

        public static Format fromName(String name) {
            return switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "urls", "url", "text" -> URLS;
                case "jsonl", "json-lines" -> JSONL;
                case "auto" -> AUTO;
                default -> throw new IllegalArgumentException("unknown input format '" + name
                        + "': expected urls, jsonl or auto");
            };
        }

        /** The name {@code --input-format} gives it, as {@link #fromName} reads it. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The format {@code source} is read as: this one, or for AUTO, as its name says. */
        public Format of(String source) {
            String name = source.toLowerCase(Locale.ROOT);
            return this != AUTO ? this
                    : name.endsWith(".jsonl") || name.endsWith(".ndjson") ? JSONL : URLS;
        }
    }

    /**
     * The lines refused for beginning with '{', as a JSON Lines request spec does and no URL
     * does: a URL list's, for a warning said once as the run ends. None for other readers.
     */
    default LineNotes specLines() {
        return LineNotes.NONE;
    }

    /**
     * The request specs that gave a body and no method, sent as GETs (the default method): a
     * JSON Lines input's, for a warning said once as the run ends, as an API that was meant to
     * create may answer such a request 200 and do nothing. None for other readers.
     */
    default LineNotes bodiesWithoutMethod() {
        return LineNotes.NONE;
    }

    /**
     * This input with every request whose host resolves to a loopback, private or link-local
     * address turned into an input error: for lists from untrusted hands.
     */
    default InputReader denyingPrivateHosts() {
        PrivateHosts hosts = new PrivateHosts();
        return refusing(request -> hosts.refusal(request.url().getHost()));
    }

    /**
     * This input with every request {@code refusal} gives a reason for turned into an input
     * error saying it, under its line number: what the engine to run cannot send (a PATCH on
     * the JDK's client) is refused as the line it is, as a line that is no request is.
     */
    default InputReader refusing(Function<FetchRequest, String> refusal) {
        return mapping(item -> {
            if (item instanceof InputItem.Request r) {
                String why = refusal.apply(r.request());
                if (why != null) {
                    return new InputItem.Rejected(r.seq(), r.request().id(),
                            r.request().idIsNumber(), r.request().url().toString(),
                            r.request().method(), why);
                }
            }
            return item;
        });
    }

    /** This input with each item {@code each} of it, as it is read. */
    default InputReader mapping(UnaryOperator<InputItem> each) {
        InputReader all = this;
        return new InputReader() {
            @Override
            public boolean hasNext() {
                return all.hasNext();
            }

            @Override
            public InputItem next() {
                return each.apply(all.next());
            }

            @Override
            public void close() throws IOException {
                all.close();
            }
        };
    }

    /** This input without the items {@code skip} names: what a resumed run has left to do. */
    default InputReader skipping(LongPredicate skip) {
        InputReader all = this;
        return new InputReader() {
            private InputItem next;

            @Override
            public boolean hasNext() {
                while (next == null && all.hasNext()) {
                    InputItem item = all.next();
                    if (!skip.test(item.seq())) {
                        next = item;
                    }
                }
                return next != null;
            }

            @Override
            public InputItem next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                InputItem item = next;
                next = null;
                return item;
            }

            @Override
            public void close() throws IOException {
                all.close();
            }
        };
    }

    /**
     * Checks that {@code source} opens, as {@link #open} will: before a run writes anything.
     *
     * @throws InputUnavailableException when it does not
     */
    static void checkOpens(String source) throws InputUnavailableException {
        if (source.equals("-")) {
            return;
        }
        Path path = UrlListReader.resolve(source);
        // Not a pipe (a named one, <(...)): opened and closed, its writer's lines would go.
        if (!Files.exists(path) || Files.isDirectory(path) || Files.isRegularFile(path)) {
            InputStream in = UrlListReader.openFile(source);
            try {
                in.close();
            } catch (IOException e) {
                // It opened, which is all this was to show.
            }
        }
    }

    /**
     * As {@link #checkOpens(String)}, for stdin: a UTF-16 or UTF-32 one, or a compressed one,
     * is refused by its first bytes, which this waits for (or stdin's end). Returns the stream
     * to read stdin from, which gives those bytes back first.
     *
     * @throws InputUnavailableException when stdin is refused, or cannot be read
     */
    static InputStream checkStdin(InputStream stdin) throws InputUnavailableException {
        try {
            return ByteOrderMarks.refusingForeign(stdin, "-");
        } catch (InputUnavailableException e) {
            throw e;
        } catch (IOException e) {
            throw new InputUnavailableException("cannot read stdin: " + e.getMessage(), e);
        }
    }

    /**
     * Opens {@code source} (a file, a name under {@code urls/}, or {@code -} for stdin) as
     * {@code format}.
     *
     * @throws InputUnavailableException when the file cannot be opened
     */
    static InputReader open(String source, Format format, InputStream stdin,
                            UrlListReader.RequestTemplate template)
            throws InputUnavailableException {
        return open(source, format, stdin, template, Long.MAX_VALUE);
    }

    /**
     * As {@link #open(String, Format, InputStream, UrlListReader.RequestTemplate)}, reading
     * no more than the first {@code maxBytes} of a file (stdin is read whole): what a
     * journal's identity covers. A last line that the limit cuts while the file goes on past
     * it (a writer was mid-line) is an input error, not a request made of its start.
     */
    static InputReader open(String source, Format format, InputStream stdin,
                            UrlListReader.RequestTemplate template, long maxBytes)
            throws InputUnavailableException {
        InputStream in = source.equals("-") ? stdin : UrlListReader.openFile(source, maxBytes);
        return isJsonLines(source, format) ? new JsonLinesReader(in, source, template)
                : new UrlListReader(in, source, template);
    }

    /**
     * Hands {@code skipped} the number of each line of the file {@code input}, as far as its
     * first {@code maxBytes}, that is no item (blank, or a comment) when read as {@code format},
     * as {@link #open} reads it: an item's seq is its line number, and no item has these. One
     * read of the file, a line at a time.
     */
    static void eachSkippedLine(Path input, Format format, long maxBytes,
                                LongConsumer skipped) throws IOException {
        // The lines' limit decides too: a '#' line past a URL list's is an item, a line too long.
        LineItemReader.eachSkippedLine(UrlListReader.prefix(Files.newInputStream(input),
                maxBytes), input.toString(), isJsonLines(input.toString(), format)
                ? JsonLinesReader.MAX_LINE_BYTES : UrlListReader.MAX_LINE_BYTES, skipped);
    }

    private static boolean isJsonLines(String source, Format format) {
        return format.of(source) == Format.JSONL;
    }
}
