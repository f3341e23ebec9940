package dev.bulkfetch.output;

import java.util.Arrays;
import java.util.BitSet;

/**
 * The seqs a journal holds records for, in memory proportional to how many it holds.
 *
 * <p>A journal's seqs are nearly 1 to N, in completion order, so a bit per seq is the smallest
 * and fastest form: 125 KiB for a million records. But a bit set is as large as its largest
 * seq, and a journal is a text file a person may edit: one record with seq 2,000,000,000 took
 * 256 MB of heap, and a small heap ended the resume with an OutOfMemoryError. So a seq goes
 * into the bits only while they stay within {@link #BITS_PER_RECORD} bits for each record
 * added (or {@link #DENSE_FLOOR} bits, whichever is more); any other, an outlier, goes into a
 * sorted array of 4 bytes a seq. A journal of 1 to N has no outliers: it is the bit set it
 * was. One with gaps (records deleted by hand to fetch their items again, a list that is
 * mostly comments) keeps each record in one form or the other, and never more than about
 * 16 bytes a record (the bit set doubles as it grows) beside the floor.
 *
 * <p>A seq added again (two records of one item: an edit, a {@code cat >>}) is counted as a
 * repeat, at no cost a record: one in the bits as it is added, one among the outliers when
 * {@link #freeze()} has sorted them, beside each other (or beside its bit: an outlier once may
 * be in the bits later, as the records grow).
 *
 * <p>Filled by one thread while the journal is scanned, then only read: {@link #freeze()}
 * sorts the outliers, after which {@link #contains} may be called from any thread that the
 * journal was handed to.
 */
final class DoneSet {

    /** Bits a seq may cost in the bit set, for each record added so far. */
    static final int BITS_PER_RECORD = 64;
    /** Bits the bit set may hold whatever the count: 128 KiB, for short journals. */
    static final int DENSE_FLOOR = 1 << 20;

    private final BitSet dense = new BitSet();
    private int[] outliers = new int[0];
    private int outlierCount;
    private long added;
    // Adds of a seq added before; those among the outliers are counted by freeze().
    private long repeats;
    // The smallest outlier added more than once, or 0: set by freeze().
    private int repeatedOutlier;
    private boolean frozen;

    /**
     * Notes {@code seq} (1 or more) as done. False when it was noted before and is in the bits:
     * a repeat, found at once. A repeat among the outliers returns true, and is counted by
     * {@link #freeze()}.
     */
    boolean add(int seq) {
        if (frozen) {
            throw new IllegalStateException("the done-set was frozen: add before freeze()");
        }
        if (seq < 1) {
            throw new IllegalArgumentException("seq < 1: " + seq);
        }
        added++;
        if (seq <= Math.max(DENSE_FLOOR, BITS_PER_RECORD * added)) {
            if (dense.get(seq)) {
                repeats++;
                return false;
            }
            dense.set(seq);
            return true;
        }
        if (outlierCount == outliers.length) {
            outliers = Arrays.copyOf(outliers, Math.max(8, outlierCount * 2));
        }
        outliers[outlierCount++] = seq;
        return true;
    }

    /**
     * Ends the filling: the outliers are sorted, and trimmed to their count, and their repeats
     * counted.
     */
    DoneSet freeze() {
        if (!frozen) {
            outliers = Arrays.copyOf(outliers, outlierCount);
            Arrays.sort(outliers);
            for (int i = 0; i < outlierCount; i++) {
                // A repeat: equal to the outlier before it, or held in the bits too (added
                // again once the bits reached it).
                if (i > 0 && outliers[i] == outliers[i - 1] || dense.get(outliers[i])) {
                    repeats++;
                    if (repeatedOutlier == 0) {
                        repeatedOutlier = outliers[i];
                    }
                }
            }
            frozen = true;
        }
        return this;
    }

    /** How many seqs were added, each counted once. */
    long size() {
        requireFrozen();
        return added - repeats;
    }

    /** How many adds noted a seq noted before: each a second record of an item. */
    long repeats() {
        requireFrozen();
        return repeats;
    }

    /**
     * The smallest seq held among the outliers that was added more than once, or 0: a repeat
     * that {@link #add} could not tell, to be looked for by whoever knows where it came from.
     */
    int repeatedOutlier() {
        requireFrozen();
        return repeatedOutlier;
    }

    /** Whether {@code seq} was added; false for any seq past an int. After {@link #freeze}. */
    boolean contains(long seq) {
        requireFrozen();
        if (seq < 1 || seq > Integer.MAX_VALUE) {
            return false;
        }
        return dense.get((int) seq) || outlierCount > 0
                && Arrays.binarySearch(outliers, 0, outlierCount, (int) seq) >= 0;
    }

    private void requireFrozen() {
        if (!frozen) {
            throw new IllegalStateException("the done-set is still being filled: freeze() it");
        }
    }

    /** The bytes the set holds its seqs in (its arrays' contents, not their headers). */
    long footprintBytes() {
        return dense.size() / 8L + 4L * outliers.length;
    }
}
