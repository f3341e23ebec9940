package dev.bulkfetch.input;

/**
 * Lines of an input that a reader noted for a warning said once as the run ends, where each
 * item's record says it a line at a time: how many, and the first of them. Written by the one
 * thread reading the input (the count last, whose write publishes the first), read once the
 * run is over, maybe by another thread (a pipe's reader).
 */
public final class LineNotes {

    /** None noted, as a reader that notes nothing has. */
    static final LineNotes NONE = new LineNotes();

    private volatile long first;
    private volatile long count;

    void note(long seq) {
        if (count == 0) {
            first = seq;
        }
        count++;
    }

    /** The first line noted; 0 when none was. */
    public long first() {
        return count == 0 ? 0 : first;
    }

    /** How many lines were noted. */
    public long count() {
        return count;
    }
}
