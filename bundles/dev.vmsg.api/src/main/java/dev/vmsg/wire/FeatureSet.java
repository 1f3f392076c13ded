package dev.vmsg.wire;

import java.util.Arrays;

/**
 * An immutable set of virtio feature bit numbers, as exchanged in 32-bit blocks by GET_DEVICE_FEATURES and
 * SET_DRIVER_FEATURES (block k holds bits 32k..32k+31). Bit numbers range over {@code [0, MAX_BITS)}.
 */
public final class FeatureSet {
    /** Exclusive upper bound of bit numbers (32768 blocks), so that no peer can make a set allocate without limit. */
    public static final int MAX_BITS = 1 << 20;

    public static final FeatureSet EMPTY = new FeatureSet(new long[0]);

    /** Bit b is bit (b & 63) of words[b >>> 6]; no trailing zero words, so equal sets have equal arrays. */
    private final long[] words;

    private FeatureSet(long[] words) {
        this.words = words;
    }

    /** The set of the given bit numbers. */
    public static FeatureSet of(int... bits) {
        int highest = -1;
        for (int bit : bits) {
            checkBit(bit);
            highest = Math.max(highest, bit);
        }
        if (highest < 0) {
            return EMPTY;
        }
        long[] words = new long[(highest >>> 6) + 1];
        for (int bit : bits) {
            words[bit >>> 6] |= 1L << (bit & 63);
        }
        return new FeatureSet(words);
    }

    /** The set encoded by feature blocks starting at block 0. */
    public static FeatureSet fromBlocks(int[] blocks) {
        return fromBlocks(0, blocks);
    }

    /**
     * The set encoded by feature blocks whose first element is block {@code blockIndex}.
     *
     * @throws IllegalArgumentException if a set bit would be at or above {@link #MAX_BITS}
     */
    public static FeatureSet fromBlocks(int blockIndex, int[] blocks) {
        int last = blocks.length - 1;
        while (last >= 0 && blocks[last] == 0) {
            last--;
        }
        if (last < 0) {
            return EMPTY;
        }
        long highestBlock = Integer.toUnsignedLong(blockIndex) + last;
        if (highestBlock * 32 + 31 >= MAX_BITS) {
            throw new IllegalArgumentException("feature block " + highestBlock + " is beyond the supported "
                    + (MAX_BITS / 32) + " blocks");
        }
        long[] words = new long[(int) (highestBlock >>> 1) + 1];
        for (int i = 0; i <= last; i++) {
            int block = blockIndex + i;
            words[block >>> 1] |= Integer.toUnsignedLong(blocks[i]) << ((block & 1) * 32);
        }
        return new FeatureSet(words);
    }

    /** The first {@code numBlocks} 32-bit blocks of this set; bits at or beyond {@code 32 * numBlocks} are dropped. */
    public int[] toBlocks(int numBlocks) {
        if (numBlocks < 0) {
            throw new IllegalArgumentException("numBlocks " + numBlocks + " is negative");
        }
        int[] blocks = new int[numBlocks];
        int n = Math.min(numBlocks, words.length * 2);
        for (int i = 0; i < n; i++) {
            blocks[i] = (int) (words[i >>> 1] >>> ((i & 1) * 32));
        }
        return blocks;
    }

    public boolean has(int bit) {
        if (bit < 0) {
            return false;
        }
        int w = bit >>> 6;
        return w < words.length && (words[w] & (1L << (bit & 63))) != 0;
    }

    /** Bits in both sets (for example offered and wanted). */
    public FeatureSet and(FeatureSet other) {
        int n = Math.min(words.length, other.words.length);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = words[i] & other.words[i];
        }
        return trimmed(out);
    }

    /** Bits in either set. */
    public FeatureSet or(FeatureSet other) {
        long[] big = words.length >= other.words.length ? words : other.words;
        long[] small = big == words ? other.words : words;
        long[] out = big.clone();
        for (int i = 0; i < small.length; i++) {
            out[i] |= small[i];
        }
        return new FeatureSet(out);
    }

    /** This set with {@code bit} removed. */
    public FeatureSet without(int bit) {
        if (!has(bit)) {
            return this;
        }
        long[] out = words.clone();
        out[bit >>> 6] &= ~(1L << (bit & 63));
        return trimmed(out);
    }

    /** This set with {@code bit} added. */
    public FeatureSet with(int bit) {
        checkBit(bit);
        if (has(bit)) {
            return this;
        }
        long[] out = Arrays.copyOf(words, Math.max(words.length, (bit >>> 6) + 1));
        out[bit >>> 6] |= 1L << (bit & 63);
        return new FeatureSet(out);
    }

    /** Whether every bit of this set is in {@code other} (for example: accepted features are a subset of offered). */
    public boolean isSubsetOf(FeatureSet other) {
        if (words.length > other.words.length) {
            return false;
        }
        for (int i = 0; i < words.length; i++) {
            if ((words[i] & ~other.words[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    public boolean isEmpty() {
        return words.length == 0;
    }

    /** The highest bit number in the set, -1 if empty. */
    public int highestBit() {
        if (words.length == 0) {
            return -1;
        }
        int w = words.length - 1;
        return w * 64 + 63 - Long.numberOfLeadingZeros(words[w]);
    }

    /** The number of 32-bit blocks needed to hold every bit of this set. */
    public int blockCount() {
        return (highestBit() + 32) / 32;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureSet f && Arrays.equals(f.words, words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    /** The bits by name, e.g. "{bit 5, VIRTIO_F_VERSION_1}". */
    @Override
    public String toString() {
        return describe(java.util.Map.of());
    }

    /**
     * The bits by name, device-type bits named by {@code deviceBitNames} (bit number to name, for
     * example {@code 6 -> "VIRTIO_BLK_F_BLK_SIZE"}), device-independent bits by {@link FeatureBits#name},
     * others as {@code "bit n"}.
     *
     * @since 1.1
     */
    public String describe(java.util.Map<Integer, String> deviceBitNames) {
        StringBuilder sb = new StringBuilder("{");
        for (int w = 0; w < words.length; w++) {
            long word = words[w];
            while (word != 0) {
                int bit = w * 64 + Long.numberOfTrailingZeros(word);
                word &= word - 1;
                String name = deviceBitNames.get(bit);
                sb.append(sb.length() == 1 ? "" : ", ").append(name != null ? name : FeatureBits.name(bit));
            }
        }
        return sb.append('}').toString();
    }

    private static FeatureSet trimmed(long[] words) {
        int n = words.length;
        while (n > 0 && words[n - 1] == 0) {
            n--;
        }
        return n == 0 ? EMPTY : new FeatureSet(n == words.length ? words : Arrays.copyOf(words, n));
    }

    private static void checkBit(int bit) {
        if (bit < 0 || bit >= MAX_BITS) {
            throw new IllegalArgumentException("feature bit " + bit + " is outside [0, " + MAX_BITS + ")");
        }
    }
}
