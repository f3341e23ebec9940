package dev.bulkfetch.output;

import dev.bulkfetch.BodyHandler;
import dev.bulkfetch.BodyHandlers;
import dev.bulkfetch.FetchResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts response bodies where the user asked: into a folder, one file per item named from the
 * item's {@code seq} ({@code 17.body}), never from anything in the URL, so no URL however
 * crafted ({@code ../}, absolute paths, very long names) can write outside the folder; and/or
 * into the record as text, when the body is valid UTF-8.
 *
 * <p>A saved body streams to disk as it arrives, so memory follows the chunks in flight, not
 * the bodies: its {@link #handler()} writes each response to a part file of its own, which
 * {@link #attach} renames to the item's name as the item's record is written. A part no record
 * takes (a retried attempt's, a body cut off, one left in flight or waiting for its turn at a
 * stop) is deleted, at the latest by {@link #close()}.
 *
 * <p>The writes happen on the thread that reads the body, a Netty I/O thread on the event
 * loop, as nginx writes its proxy buffers to temporary files: a write lands in the page cache,
 * and when the disk cannot keep up, the stalled reads slow the senders down instead of
 * buffering bodies in the heap. A write that fails (a full disk) is not the item's error but
 * the run's, as a record that cannot be written is: {@link #attach} throws {@link SaveFailed}.
 */
public final class BodyStore implements AutoCloseable {

    // The folder saved into, or null when bodies are not saved.
    private final PartFolder folder;
    private final boolean inline;
    // Parts made and not yet renamed or deleted: added by reading threads, removed by any.
    private final Set<PartSink> parts = ConcurrentHashMap.newKeySet();
    // Set by close(): a part made after it deletes itself (a blocking read outliving close).
    private volatile boolean closed;
    // The run's claim on the folder, given up by close(), a signal's too; null for none.
    private final BodiesClaim claim;

    /**
     * Saves to {@code dir} (null for none); puts text inline when {@code inline}. The folder
     * is made if need be, and must take a new file now: one that cannot (read-only, no
     * permission) would have every body fetched and lost. Parts left by a run that was killed
     * are deleted.
     *
     * @throws IOException when the folder cannot be made or written to
     */
    public BodyStore(Path dir, boolean inline) throws IOException {
        this(dir, inline, null);
    }

    /** As above, giving {@code claim} (null for none) up as it closes. */
    public BodyStore(Path dir, boolean inline, BodiesClaim claim) throws IOException {
        this.folder = dir == null ? null
                : PartFolder.ready(Files.createDirectories(dir).toRealPath());
        this.inline = inline;
        this.claim = claim;
    }

    /**
     * Whether {@code dir} takes a new file now, by making one and deleting it: a folder that
     * cannot (read-only, no permission) would have every body fetched and then lost.
     *
     * @throws IOException saying why it cannot
     */
    public static void checkWritable(Path dir) throws IOException {
        try {
            Files.delete(TempFiles.create(dir, PartNames.PREFIX + "check-", ".part"));
        } catch (IOException e) {
            throw new IOException("cannot write into " + dir + ": " + FileErrors.reason(e), e);
        }
    }

    /** A body that could not be saved: the run cannot go on as asked. */
    public static final class SaveFailed extends IOException {
        SaveFailed(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** What the engines feed each body to: a part file when saving, else the bytes. */
    public BodyHandler<?> handler() {
        if (folder == null) {
            return BodyHandlers.bytes();
        }
        BodyHandler<PartSink> parts = response -> new PartSink();
        return parts;
    }

    /**
     * {@code result} with its body (what {@link #handler()} made of it) saved and/or turned
     * into text, as configured; no body, no change. Called as the record is written.
     *
     * @throws SaveFailed when the body could not be written or named
     */
    public FetchResult attach(FetchResult result) throws SaveFailed {
        // instanceof, not a pattern switch, whose first run makes a class with the JDK's
        // class-file API at each start (StartUpTest).
        if (result.body() instanceof PartSink part) {
            return save(result, part);
        }
        if (result.body() instanceof byte[] body) {
            return withBody(result, inline ? text(body) : null, null);
        }
        return result;
    }

    /** Where item {@code seq}'s body is saved in {@code dir}. */
    static Path fileOf(Path dir, long seq) {
        return dir.resolve(seq + ".body");
    }

    private FetchResult save(FetchResult result, PartSink part) throws SaveFailed {
        Path target = folder.bodyOf(result.seq());
        try {
            if (part.failure != null) {
                throw part.failure;
            }
            // Read from the part, which is this run's own, not from the name a link may take.
            String text = inline ? inlineText(part.part.file()) : null;
            // A folder with files in it at the target fails it: the run stops, rather than
            // lose them.
            part.part.renameTo(target);
            parts.remove(part);
            return withBody(result, text, target.toString());
        } catch (IOException e) {
            part.delete();
            throw new SaveFailed("cannot save the body of item " + result.seq() + " to "
                    + target + ": " + FileErrors.reason(e), e);
        }
    }

    private static FetchResult withBody(FetchResult r, String body, String file) {
        return new FetchResult(r.seq(), r.id(), r.url(), r.method(), r.status(), r.error(),
                r.attempts(), r.latencyNanos(), r.bytes(), r.engine(), body, file,
                r.idIsNumber(), r.finalUrl());
    }

    /** An attempt's body that no record will take (the attempt is retried): deleted. */
    public void discard(Object body) {
        if (body instanceof PartSink part) {
            part.delete();
        }
    }

    /**
     * Deletes every part no record took: those of attempts abandoned in flight. Safe from any
     * thread and more than once: a signal's, as the process goes.
     */
    @Override
    public void close() {
        closed = true;
        for (PartSink part : parts) {
            part.delete();
        }
        if (claim != null) {
            claim.close();
        }
    }

    /**
     * The saved body as text for the record, or null: not UTF-8, or too large for the heap to
     * hold as text (over a quarter of it, bytes and text together), when it stays in its file
     * only and the run goes on. Reading it regardless ran the whole run out of memory.
     */
    private static String inlineText(Path file) throws IOException {
        if (Files.size(file) > Runtime.getRuntime().maxMemory() / 4) {
            return null;
        }
        try {
            return text(Files.readAllBytes(file));
        } catch (OutOfMemoryError e) {
            return null;
        }
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

    /**
     * Writes one response's body to a new part file, made at its first chunk or its end; once
     * finished, it is the body's value until {@link #attach} names it. A write that fails is
     * kept for {@code attach} to report, not thrown: it is the run's error, not the item's.
     */
    private final class PartSink implements BodyHandler.Sink<PartSink> {
        // Made by the thread reading the response before the sink joins parts, which
        // publishes it to the thread of a stop that sweeps the parts and deletes them.
        private final PartFile part = folder.newPart();
        // The reading thread's alone, then attach()'s, after the outcome's hand-over.
        private IOException failure;

        @Override
        public void accept(ByteBuffer chunk) {
            if (failure != null) {
                return;
            }
            try {
                made();
                part.write(chunk);
            } catch (IOException e) {
                failure = e;
            }
        }

        @Override
        public PartSink finish() {
            try {
                if (failure == null) {
                    made();
                    part.close();
                }
            } catch (IOException e) {
                failure = e;
            }
            return this;
        }

        @Override
        public void abandon() {
            delete();
        }

        /** Makes the part at the first call, where close() will find it. */
        private void made() throws IOException {
            if (part.make()) {
                parts.add(this);
                if (closed) {
                    // close() may have swept before this part was there to see.
                    delete();
                    throw new IOException("the run has ended");
                }
            }
        }

        /** Closes and deletes the part, if there is one; quietly, as it is given up on. */
        void delete() {
            parts.remove(this);
            part.delete();
        }
    }
}
