package dev.bulkfetch.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One body on its way to disk: a part file, made at the body's first chunk or its end, written
 * in order, then renamed to the body's name once whole or deleted. Used by one thread at a
 * time; its owner publishes it to any other.
 */
final class PartFile {

    private final Path file;
    private FileChannel channel;
    private boolean made;

    /** A part to be made at {@code file}, a name of this run's ({@link PartNames}). */
    PartFile(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /**
     * Makes the file, if this is the first call: with {@code CREATE_NEW}, so a file already
     * there is never taken over, and with the umask's permissions, as the output beside it.
     *
     * @return whether this call made it
     */
    boolean make() throws IOException {
        if (made) {
            return false;
        }
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        made = true;
        return true;
    }

    /** Appends {@code chunk}, made first if need be; the chunk is consumed. */
    void write(ByteBuffer chunk) throws IOException {
        make();
        while (chunk.hasRemaining()) {
            channel.write(chunk);
        }
    }

    /** The body is whole: the part is made, if it had no chunk, and closed. */
    void close() throws IOException {
        make();
        channel.close();
    }

    /**
     * Renames the closed part to {@code target}. A rename replaces whatever stands there, a
     * link included, and never writes through it: a link there would otherwise have the body
     * written into whatever it links to, a list perhaps. An empty folder in the way goes, as
     * any file there would; one with files in it is an error, rather than lose them.
     */
    void renameTo(Path target) throws IOException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(target);
        }
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Closes and deletes the part, if it was made; quietly, as it is given up on. */
    void delete() {
        try {
            if (channel != null) {
                channel.close();
            }
            if (made) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // Litter at worst: a part's name says what it is.
        }
    }
}
