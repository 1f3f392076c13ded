package dev.vmsg.wire;

import static dev.vmsg.wire.FeatureBits.VIRTIO_F_ACCESS_PLATFORM;
import static dev.vmsg.wire.FeatureBits.VIRTIO_F_EVENT_IDX;
import static dev.vmsg.wire.FeatureBits.VIRTIO_F_RING_RESET;
import static dev.vmsg.wire.FeatureBits.VIRTIO_F_VERSION_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class FeatureSetTest {

    @Test
    void version1IsBitZeroOfBlockOne() {
        FeatureSet f = FeatureSet.of(VIRTIO_F_VERSION_1);
        assertArrayEquals(new int[] {0, 1}, f.toBlocks(2));
        assertEquals(f, FeatureSet.fromBlocks(new int[] {0, 1}));
        assertTrue(f.has(32));
        assertFalse(f.has(0));
        assertFalse(f.has(-1));
        assertFalse(f.has(1 << 30));
    }

    @Test
    void blocksRoundTripIncludingTheTopBitOfABlock() {
        int[] blocks = {0x8000_0001, 0xFFFF_FFFF, 0, 0x4000_0000};
        FeatureSet f = FeatureSet.fromBlocks(blocks);
        assertArrayEquals(blocks, f.toBlocks(4));
        assertTrue(f.has(31));
        assertTrue(f.has(63));
        assertEquals(126, f.highestBit());
        assertEquals(4, f.blockCount());
    }

    @Test
    void toBlocksDropsBitsBeyondTheRequestedBlocks() {
        FeatureSet f = FeatureSet.of(1, VIRTIO_F_VERSION_1, 100);
        assertArrayEquals(new int[] {2}, f.toBlocks(1));
        assertArrayEquals(new int[] {2, 1, 0, 0x10, 0, 0}, f.toBlocks(6));
        assertArrayEquals(new int[0], f.toBlocks(0));
        assertThrows(IllegalArgumentException.class, () -> f.toBlocks(-1));
    }

    @Test
    void fromBlocksPlacesBlocksAtTheirIndex() {
        assertEquals(FeatureSet.of(VIRTIO_F_VERSION_1, VIRTIO_F_ACCESS_PLATFORM),
            FeatureSet.fromBlocks(1, new int[] {0b11}));
        assertEquals(FeatureSet.of(VIRTIO_F_VERSION_1),
            new GetDeviceFeaturesResponse(0, 2, new int[] {0, 1}).featureSet());
        assertThrows(IllegalArgumentException.class, () -> FeatureSet.fromBlocks(0xFFFF_FFFF, new int[] {1}));
        assertEquals(FeatureSet.EMPTY, FeatureSet.fromBlocks(0xFFFF_FFFF, new int[] {0}));
    }

    @Test
    void negotiationIsAndOfOfferedAndWanted() {
        FeatureSet offered = FeatureSet.of(VIRTIO_F_VERSION_1, VIRTIO_F_EVENT_IDX, VIRTIO_F_RING_RESET, 3);
        FeatureSet wanted = FeatureSet.of(VIRTIO_F_VERSION_1, VIRTIO_F_ACCESS_PLATFORM, 3);
        FeatureSet accepted = offered.and(wanted);
        assertEquals(FeatureSet.of(3, VIRTIO_F_VERSION_1), accepted);
        assertTrue(accepted.isSubsetOf(offered));
        assertTrue(accepted.isSubsetOf(wanted));
        assertFalse(wanted.isSubsetOf(offered));
        assertTrue(FeatureSet.EMPTY.isSubsetOf(offered));
        assertEquals(FeatureSet.of(3, VIRTIO_F_EVENT_IDX, VIRTIO_F_VERSION_1, VIRTIO_F_ACCESS_PLATFORM,
            VIRTIO_F_RING_RESET), offered.or(wanted));
    }

    @Test
    void withoutRemovesOneBitAndNormalisesForEquality() {
        FeatureSet f = FeatureSet.of(5, 200);
        FeatureSet g = f.without(200);
        assertEquals(FeatureSet.of(5), g);
        assertEquals(FeatureSet.of(5).hashCode(), g.hashCode());
        assertEquals(5, g.highestBit());
        assertSame(f, f.without(6));
        assertEquals(FeatureSet.EMPTY, g.without(5));
        assertEquals(-1, FeatureSet.EMPTY.highestBit());
        assertEquals(FeatureSet.EMPTY, FeatureSet.of(64, 128).and(FeatureSet.of(1)));
        assertNotEquals(FeatureSet.of(1), FeatureSet.of(2));
        assertEquals(FeatureSet.of(5, 200), g.with(200));
    }

    @Test
    void rejectsNegativeAndHugeBits() {
        assertThrows(IllegalArgumentException.class, () -> FeatureSet.of(-1));
        assertThrows(IllegalArgumentException.class, () -> FeatureSet.of(FeatureSet.MAX_BITS));
        assertEquals(FeatureSet.MAX_BITS - 1, FeatureSet.of(FeatureSet.MAX_BITS - 1).highestBit());
        assertEquals(FeatureSet.EMPTY, FeatureSet.of());
    }

    @Test
    void toStringNamesKnownBits() {
        assertEquals("{bit 0, VIRTIO_F_VERSION_1, VIRTIO_F_ACCESS_PLATFORM, bit 70}",
            FeatureSet.of(VIRTIO_F_ACCESS_PLATFORM, 0, 70, VIRTIO_F_VERSION_1).toString());
        assertEquals("{}", FeatureSet.EMPTY.toString());
    }

    @Test
    void agreesWithBitArithmeticOnRandomBlocks() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 1000; i++) {
            int[] a = {rnd.nextInt(), rnd.nextInt(), rnd.nextInt(4)};
            int[] b = {rnd.nextInt(), rnd.nextInt(), 0};
            FeatureSet fa = FeatureSet.fromBlocks(a);
            FeatureSet fb = FeatureSet.fromBlocks(b);
            int[] and = fa.and(fb).toBlocks(3);
            int[] or = fa.or(fb).toBlocks(3);
            for (int k = 0; k < 3; k++) {
                assertEquals(a[k] & b[k], and[k], "seed " + seed);
                assertEquals(a[k] | b[k], or[k], "seed " + seed);
            }
            assertEquals((a[0] & ~b[0]) == 0 && (a[1] & ~b[1]) == 0 && a[2] == 0, fa.isSubsetOf(fb), "seed " + seed);
        }
    }
}
