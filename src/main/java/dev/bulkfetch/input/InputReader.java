package dev.bulkfetch.input;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;

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
        /** JSON Lines when the file name ends in {@code .jsonl}, else URLs. */
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
        boolean jsonl = format == Format.JSONL
                || (format == Format.AUTO && source.toLowerCase(Locale.ROOT).endsWith(".jsonl"));
        return jsonl ? JsonLinesReader.open(source, stdin, template)
                : UrlListReader.open(source, stdin, template);
    }
}
