package dev.bulkfetch.output;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What a resume reads of one line of a journal: the record's seq, whether its item was ok, and
 * where its body was saved. Read with Jackson's streaming parser, not as a tree: a journal of a
 * million records took 1.3 s as trees and 0.75 s so. The fields a resume does not read are
 * skipped, not left unread: the parser checks them as it passes (their syntax, their bytes as
 * UTF-8), so a line that is no JSON is found as the tree found it.
 *
 * <p>The line means what it meant as a tree ({@link #of(JsonNode)}), down to a record written
 * by hand: the last of two {@code seq}s, a {@code "seq": 5.0}, an {@code "ok": "false"}. A
 * value the streaming read does not take as it is (a seq that is not a whole number, an ok
 * that is no boolean) has its line read as a tree, as all were.
 *
 * @param seq the record's seq, from 1 to {@link Integer#MAX_VALUE}; null when the line is no
 *     record (no JSON object, no such seq)
 * @param ok whether its item was ok: its {@code ok}, true when it has none
 * @param bodyFile its {@code body_file}, or null
 */
record JournalLine(Long seq, boolean ok, String bodyFile) {

    private static final JournalLine NO_RECORD = new JournalLine(null, true, null);

    // Made when a resume first reads records back, not by every run with -o (which opens a
    // journal): a mapper costs tens of milliseconds of a short run's start.
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The line in {@code length} bytes of {@code bytes} from {@code offset}, no newline. */
    static JournalLine of(byte[] bytes, int offset, int length) {
        try (JsonParser parser = MAPPER.getFactory().createParser(bytes, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return NO_RECORD;  // no JSON, or not an object: no field is read as the tree's
            }
            Long seq = null;
            boolean ok = true;
            String bodyFile = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "seq" -> {
                        if (value == JsonToken.VALUE_NUMBER_FLOAT) {
                            return of(tree(bytes, offset, length));
                        }
                        seq = value == JsonToken.VALUE_NUMBER_INT
                                && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                                ? parser.getLongValue() : null;
                        parser.skipChildren();
                    }
                    case "ok" -> {
                        if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
                            return of(tree(bytes, offset, length));
                        }
                        ok = value == JsonToken.VALUE_TRUE;
                    }
                    case "body_file" -> {
                        bodyFile = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                        parser.skipChildren();
                    }
                    default -> parser.skipChildren();
                }
            }
            return new JournalLine(inRange(seq), ok, bodyFile);
        } catch (IOException e) {
            return NO_RECORD;  // no JSON: the tree could not be read either
        }
    }

    /** The line as its tree says, which {@link #of(byte[], int, int)} agrees with. */
    static JournalLine of(JsonNode record) {
        if (record == null) {
            return NO_RECORD;
        }
        JsonNode seq = record.get("seq");
        return new JournalLine(seq != null && seq.canConvertToLong() ? inRange(seq.asLong())
                : null, record.path("ok").asBoolean(true), record.path("body_file").textValue());
    }

    /** The line read as a tree; null when it is no JSON. */
    static JsonNode tree(byte[] bytes, int offset, int length) {
        try {
            return MAPPER.readTree(bytes, offset, length);
        } catch (IOException e) {
            return null;
        }
    }

    // Past an int no input line is, and the done-set holds ints (a hand-edited 3000000000
    // made --resume crash with an ArithmeticException).
    private static Long inRange(Long seq) {
        return seq != null && seq >= 1 && seq <= Integer.MAX_VALUE ? seq : null;
    }
}
