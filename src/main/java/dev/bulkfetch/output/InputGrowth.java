package dev.bulkfetch.output;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * What was written to a journal's input past the bytes its records are of: a list appended to
 * while a run read it, or since. The run reads no further than its identity measured, so
 * none of it was fetched; a run on another output file fetches it.
 *
 * @param read the bytes the run read: those the journal's identity covers
 * @param bytes the bytes past them
 * @param firstLine the first line not fetched: the one after the last line read, or that last
 *     line itself when it goes on past them (a writer was mid-line when it was read)
 * @param lastLine the input's last line now
 * @param cut whether {@code firstLine} is the last line read, which goes on past the bytes read
 */
public record InputGrowth(long read, long bytes, long firstLine, long lastLine, boolean cut) {

    /** The lines not fetched, or not whole: from {@link #firstLine()} to {@link #lastLine()}. */
    public long lines() {
        return lastLine - firstLine + 1;
    }

    /**
     * What {@code input} holds now past {@code extent}, or null when nothing: one read of
     * that part, a block at a time, counting its lines.
     */
    static InputGrowth past(Path input, InputIdentity.Extent extent) throws IOException {
        try (FileChannel channel = FileChannel.open(input)) {
            if (channel.size() <= extent.bytes()) {
                return null;  // as it was, or cut short since, which is no growth
            }
            boolean midLine = extent.bytes() > 0 && byteAt(channel, extent.bytes() - 1) != '\n';
            long bytes = 0;
            long newlines = 0;
            byte last = '\n';
            byte[] block = new byte[64 * 1024];
            InputStream in = Channels.newInputStream(channel.position(extent.bytes()));
            int n;
            while ((n = in.read(block)) > 0) {
                bytes += n;
                newlines += InputIdentity.newlines(block, n);
                last = block[n - 1];
            }
            // The extent's lines count a last line without its newline, which may come past it.
            long before = extent.lines() - (midLine ? 1 : 0);
            return new InputGrowth(extent.bytes(), bytes,
                    before + 1, before + newlines + (last == '\n' ? 0 : 1), midLine);
        }
    }

    private static byte byteAt(FileChannel channel, long position) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        channel.read(one, position);
        return one.get(0);
    }
}
