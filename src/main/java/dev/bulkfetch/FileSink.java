package dev.bulkfetch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One body for {@link BodyHandlers#files}: written to a part file of its own as it streams,
 * renamed to its seq's name once whole, so that the name only ever holds a whole body.
 */
final class FileSink implements BodyHandler.Sink<Path> {

    private final Path folder;
    private final long seq;
    // The reading thread's; abandon() may run on another (a timeout's), never beside accept.
    private volatile Path part;
    private volatile FileChannel channel;

    FileSink(Path folder, long seq) {
        this.folder = folder;
        this.seq = seq;
    }

    @Override
    public void accept(ByteBuffer chunk) throws IOException {
        ByteBuffer bytes = chunk.duplicate(); // the caller's buffer is left as it came
        FileChannel out = channel();
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    @Override
    public Path finish() throws IOException {
        channel().close();
        Path file = folder.resolve(seq + ".body");
        // A rename, which replaces an earlier run's file of that name in one step.
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
        part = null;
        return file;
    }

    @Override
    public void abandon() {
        try {
            if (channel != null) {
                channel.close();
            }
            if (part != null) {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            // Given up on: a part left behind is hidden, and named as one.
        }
    }

    /** The part's channel, the part made on the first call: an empty body has one too. */
    private FileChannel channel() throws IOException {
        if (channel == null) {
            // Hidden, and named after the body it will be, for whoever finds one a crash left.
            part = Files.createTempFile(folder, "." + seq + ".body.", ".part");
            channel = FileChannel.open(part, StandardOpenOption.WRITE);
        }
        return channel;
    }
}
