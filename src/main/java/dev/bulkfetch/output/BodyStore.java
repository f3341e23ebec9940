package dev.bulkfetch.output;

import dev.bulkfetch.BodyHandler;
import dev.bulkfetch.BodyHandlers;
import dev.bulkfetch.FetchResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts response bodies where the user asked: into a folder, one file per item named from the
 * item's {@code seq} ({@code 17.body}), never from anything in the URL, so no URL however
 * crafted ({@code ../}, absolute paths, very long names) can write outside the folder; and/or
 * into the record as text, when the body is valid UTF-8.
 *
 * <p>A saved body streams to disk as it arrives, so memory follows the chunks in flight, not
 * the bodies: its {@link #handler()} writes each response to a part file of its own, which
 * {@link #attach} renames to the item's name once the item has its record. A part no record
 * takes (a retried attempt's, a body cut off, one left in flight at a stop) is deleted, at the
 * latest by {@link #close()}.
 *
 * <p>The writes happen on the thread that reads the body, a Netty I/O thread on the event
 * loop, as nginx writes its proxy buffers to temporary files: a write lands in the page cache,
 * and when the disk cannot keep up, the stalled reads slow the senders down instead of
 * buffering bodies in the heap.
 */
public final class BodyStore implements AutoCloseable {

    private final Path dir;
    private final boolean inline;
    // Part names are this run's: no other run's part, nor a user's file, is ever taken.
    private final String partPrefix = ".bulkfetch-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-";
    private final AtomicLong partNumber = new AtomicLong();
    // Parts made and not yet renamed or deleted: written by I/O threads, read by the driver.
    private final Set<Path> parts = ConcurrentHashMap.newKeySet();

    /** Saves to {@code dir} (null for none); puts text inline when {@code inline}. */
    public BodyStore(Path dir, boolean inline) throws IOException {
        this.dir = dir == null ? null : Files.createDirectories(dir).toRealPath();
        this.inline = inline;
    }

    /** What the engines feed each body to: a part file when saving, else the bytes. */
    public BodyHandler<?> handler() {
        if (dir == null) {
            return BodyHandlers.bytes();
        }
        BodyHandler<Part> parts = response -> new PartSink();
        return parts;
    }

    /**
     * {@code result} with its body (what {@link #handler()} made of it) saved and/or turned
     * into text, as configured; no body, no change.
     */
    public FetchResult attach(FetchResult result) throws IOException {
        return switch (result.body()) {
            case Part part -> {
                Path target = dir.resolve(result.seq() + ".body");
                // A rename replaces whatever stands at the target, a link included, and never
                // writes through it: a link there would otherwise have the body written into
                // whatever it links to, a list perhaps.
                Files.move(part.file(), target, StandardCopyOption.ATOMIC_MOVE);
                parts.remove(part.file());
                yield result.withBody(inline ? text(Files.readAllBytes(target)) : null,
                        target.toString());
            }
            case byte[] body -> result.withBody(inline ? text(body) : null, null);
            case null, default -> result;
        };
    }

    /** An attempt's body that no record will take (the attempt is retried): deleted. */
    public void discard(Object body) throws IOException {
        if (body instanceof Part part) {
            delete(part.file());
        }
    }

    /** Deletes every part no record took: those of attempts abandoned in flight. */
    @Override
    public void close() throws IOException {
        for (Path part : parts) {
            delete(part);
        }
    }

    private void delete(Path part) throws IOException {
        Files.deleteIfExists(part);
        parts.remove(part);
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

    /** A body saved whole, under its part name until its record comes. */
    private record Part(Path file) {
    }

    /** Writes one response's body to a new part file, made at its first chunk or its end. */
    private final class PartSink implements BodyHandler.Sink<Part> {
        private Path file;
        private FileChannel channel;

        @Override
        public void accept(ByteBuffer chunk) throws IOException {
            FileChannel out = channel();
            while (chunk.hasRemaining()) {
                out.write(chunk);
            }
        }

        @Override
        public Part finish() throws IOException {
            channel().close();
            return new Part(file);
        }

        @Override
        public void abandon() {
            try {
                if (channel != null) {
                    channel.close();
                    delete(file);
                }
            } catch (IOException e) {
                // Left for close() to try again.
            }
        }

        private FileChannel channel() throws IOException {
            if (channel == null) {
                file = dir.resolve(partPrefix + partNumber.incrementAndGet() + ".part");
                parts.add(file);
                channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
            }
            return channel;
        }
    }
}
