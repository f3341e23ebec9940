package dev.bulkfetch.output;

import dev.bulkfetch.FetchResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Puts response bodies where the user asked: into a folder, one file per item named from the
 * item's {@code seq} ({@code 17.body}), never from anything in the URL, so no URL however
 * crafted ({@code ../}, absolute paths, very long names) can write outside the folder; and/or
 * into the record as text, when the body is valid UTF-8.
 */
public final class BodyStore {

    private final Path dir;
    private final boolean inline;

    /** Saves to {@code dir} (null for none); puts text inline when {@code inline}. */
    public BodyStore(Path dir, boolean inline) throws IOException {
        this.dir = dir == null ? null : Files.createDirectories(dir).toRealPath();
        this.inline = inline;
    }

    /**
     * {@code result} with its body (the bytes that {@link dev.bulkfetch.BodyHandlers#bytes()}
     * kept) saved and/or turned into text, as configured; no body, no change.
     */
    public FetchResult attach(FetchResult result) throws IOException {
        if (!(result.body() instanceof byte[] body)) {
            return result;
        }
        String file = null;
        if (dir != null) {
            Path target = dir.resolve(result.seq() + ".body");
            // A new file, never through what stands there: a link (hard or symbolic) of that
            // name would have the body written into whatever it links to, a list perhaps.
            Files.deleteIfExists(target);
            Files.write(target, body, java.nio.file.StandardOpenOption.CREATE_NEW);
            file = target.toString();
        }
        return result.withBody(inline ? text(body) : null, file);
    }

    private static String text(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
