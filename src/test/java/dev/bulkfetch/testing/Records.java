package dev.bulkfetch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads JSON Lines records back, as a user's {@code jq} would. */
public final class Records {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Records() {
    }

    public static List<JsonNode> parse(String jsonLines) {
        List<JsonNode> records = new ArrayList<>();
        for (String line : jsonLines.split("\n")) {
            if (!line.isEmpty()) {
                try {
                    records.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException("not a JSON line: " + line, e);
                }
            }
        }
        return records;
    }

    public static List<JsonNode> read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole lines {@code file} holds so far (0 before it exists): records written. */
    public static long written(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).chars()
                .filter(c -> c == '\n').count() : 0;
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
