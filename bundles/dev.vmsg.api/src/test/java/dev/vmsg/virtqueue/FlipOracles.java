package dev.vmsg.virtqueue;

/** Small expectations the row-10 ring-flip tests share for both halves of a queue. */
final class FlipOracles {
    private FlipOracles() {
    }

    /** The index of the {@code n}-th (from 0) set bit of {@code bits}, which must have more than n. */
    static int nthSetBit(int bits, int n) {
        for (int b = bits; ; b &= b - 1) {
            if (n-- == 0) {
                return Integer.numberOfTrailingZeros(b);
            }
        }
    }

    /**
     * What a half of the queue must have written to its suppression word from its own state, whatever
     * the peer flipped: with EVENT_IDX its event word (its own ring count, parked half the index space
     * ahead while it polls), otherwise its flags word (the suppression flag while it polls).
     */
    static int suppressionWord(boolean eventIdx, boolean wantsEvents, int ownCount, int suppressFlag) {
        if (eventIdx) {
            return (ownCount + (wantsEvents ? 0 : SplitRing.EVENT_PARKED)) & 0xFFFF;
        }
        return wantsEvents ? 0 : suppressFlag;
    }
}
