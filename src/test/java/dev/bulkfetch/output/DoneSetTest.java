package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DoneSetTest {

    /**
     * Seqs 1 to N in the order a run at -c 64 finishes them: the bit set a journal always had,
     * no larger.
     */
    @Test
    void aDenseJournalIsAPlainBitSet() {
        int n = 1_000_000;
        DoneSet done = new DoneSet();
        BitSet plain = new BitSet();
        Random random = new Random(42);
        int[] window = new int[64];
        int next = 1;
        for (int i = 0; i < window.length; i++) {
            window[i] = next++;
        }
        for (int finished = 0; finished < n; finished++) {
            int slot = random.nextInt(window.length);
            done.add(window[slot]);
            plain.set(window[slot]);
            window[slot] = next++;
        }
        done.freeze();

        assertThat(done.footprintBytes()).isEqualTo(plain.size() / 8);
        for (int seq = 1; seq <= plain.length(); seq++) {
            assertThat(done.contains(seq)).isEqualTo(plain.get(seq));
        }
        assertThat(done.contains(plain.length() + 1L)).isFalse();
    }

    /**
     * A seq of 2,000,000,000 (an edit) in a short journal costs 4 bytes, not the 256 MB of a
     * bit set that reaches it.
     */
    @Test
    void aSeqFarBeyondTheRestCostsWhatItsRecordDoes() {
        DoneSet done = new DoneSet();
        done.add(2_000_000_000);
        done.add(Integer.MAX_VALUE);
        for (int seq = 1; seq <= 3; seq++) {
            done.add(seq);
        }
        done.freeze();

        assertThat(done.contains(2_000_000_000)).isTrue();
        assertThat(done.contains(Integer.MAX_VALUE)).isTrue();
        assertThat(done.contains(3)).isTrue();
        assertThat(done.contains(4)).isFalse();
        assertThat(done.contains(1_999_999_999)).isFalse();
        assertThat(done.contains(Integer.MAX_VALUE + 1L)).isFalse();
        assertThat(done.footprintBytes()).isLessThan(1024);
    }

    /**
     * However the seqs spread (each its own 8 KiB stretch of the int range, the worst a paged
     * bit set could meet), the set holds them in a few bytes each beside its floor.
     */
    @Test
    void seqsSpreadOverTheWholeIntRangeCostAFewBytesEach() {
        int count = 200_000;
        int step = Integer.MAX_VALUE / count;
        DoneSet done = new DoneSet();
        for (int i = count; i >= 1; i--) {  // the largest first: nothing is dense yet
            done.add(i * step);
        }
        done.freeze();

        for (int i = 1; i <= count; i++) {
            assertThat(done.contains((long) i * step)).isTrue();
            assertThat(done.contains((long) i * step + 1)).isFalse();
        }
        assertThat(done.footprintBytes())
                .isLessThanOrEqualTo(16L * count + DoneSet.DENSE_FLOOR / 8);
    }

    /**
     * A seq added again is a repeat, wherever it is held: in the bits (found as it is added),
     * among the outliers, or first among the outliers and then, the records being more by
     * then, in the bits (both found as the set is frozen, when the outliers are sorted).
     */
    @Test
    void aSeqAddedAgainIsCountedAsARepeatWhereverItIsHeld() {
        DoneSet done = new DoneSet();
        assertThat(done.add(2_000_000_000)).isTrue();
        assertThat(done.add(1_500_000)).isTrue();  // an outlier: 64 bits a record reach 128
        assertThat(done.add(7)).isTrue();
        assertThat(done.add(7)).as("held in the bits: found at once").isFalse();
        assertThat(done.add(2_000_000_000)).as("an outlier: found by freeze()").isTrue();
        for (int seq = 100; seq < 30_100; seq++) {  // 64 bits a record now reach 1,920,000
            done.add(seq);
        }
        assertThat(done.add(1_500_000)).as("an outlier before, in the bits now").isTrue();
        done.freeze();

        assertThat(done.repeats()).isEqualTo(3);
        assertThat(done.size()).as("each seq counted once").isEqualTo(30_003);
        assertThat(done.repeatedOutlier()).isEqualTo(1_500_000);
        assertThat(done.contains(1_500_000)).isTrue();
        assertThat(done.contains(2_000_000_000)).isTrue();
    }

    @Test
    void seqsEachAddedOnceAreNoRepeats() {
        DoneSet done = new DoneSet();
        for (int seq = 3_000_000; seq >= 1; seq -= 3) {  // outliers first, then the bits
            assertThat(done.add(seq)).isTrue();
        }
        done.freeze();

        assertThat(done.repeats()).isZero();
        assertThat(done.size()).isEqualTo(1_000_000);
        assertThat(done.repeatedOutlier()).isZero();
    }
}
