package dev.vmsg.device.blk.internal;

import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What the driver takes from a device's config space, each value range-checked before it sizes
 * anything (HARDENING rule 6): an absurd value is replaced by a safe one, never trusted.
 *
 * @param capacitySectors capacity in 512-byte sectors, at most 2^54 (so bytes fit a long)
 * @param blockSize       blk_size if offered and sane (power of two, 512..65536), else 512
 * @param sizeMax         largest data segment if offered (at least 512), else unlimited
 * @param numQueues       num_queues if MQ was negotiated (1..max), else 1
 */
record BlkConfigSpace(long capacitySectors, int blockSize, long sizeMax, int numQueues, boolean readOnly,
        boolean flush, boolean discard, boolean writeZeroes, long maxDiscardSectors, long maxWriteZeroesSectors) {

    static final long MAX_SECTORS = 1L << 54;

    static BlkConfigSpace parse(byte[] raw, FeatureSet negotiated, int maxQueues) {
        ByteBuffer c = ByteBuffer.allocate(VirtioBlk.CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        c.put(raw, 0, Math.min(raw.length, VirtioBlk.CONFIG_SIZE));
        long capacity = c.getLong(VirtioBlk.CFG_CAPACITY);
        if (capacity < 0 || capacity > MAX_SECTORS) {
            throw new IllegalArgumentException("capacity " + Long.toUnsignedString(capacity) + " sectors is absurd");
        }
        int blk = c.getInt(VirtioBlk.CFG_BLK_SIZE);
        int blockSize = negotiated.has(VirtioBlk.F_BLK_SIZE) && blk >= 512 && blk <= 65536 && Integer.bitCount(blk) == 1
                ? blk : VirtioBlk.SECTOR_SIZE;
        long sizeMax = Long.MAX_VALUE;
        if (negotiated.has(VirtioBlk.F_SIZE_MAX)) {
            long s = Integer.toUnsignedLong(c.getInt(VirtioBlk.CFG_SIZE_MAX));
            sizeMax = Math.max(VirtioBlk.SECTOR_SIZE, s & -VirtioBlk.SECTOR_SIZE);
        }
        int queues = 1;
        if (negotiated.has(VirtioBlk.F_MQ)) {
            int n = c.getShort(VirtioBlk.CFG_NUM_QUEUES) & 0xFFFF;
            queues = Math.max(1, Math.min(n, maxQueues));
        }
        long maxDiscard = Math.min(Integer.toUnsignedLong(c.getInt(VirtioBlk.CFG_MAX_DISCARD_SECTORS)), 1L << 22);
        long maxZeroes = Math.min(Integer.toUnsignedLong(c.getInt(VirtioBlk.CFG_MAX_WRITE_ZEROES_SECTORS)), 1L << 22);
        boolean discard = negotiated.has(VirtioBlk.F_DISCARD) && maxDiscard > 0;
        boolean zeroes = negotiated.has(VirtioBlk.F_WRITE_ZEROES) && maxZeroes > 0;
        return new BlkConfigSpace(capacity, blockSize, sizeMax, queues, negotiated.has(VirtioBlk.F_RO),
                negotiated.has(VirtioBlk.F_FLUSH), discard, zeroes, maxDiscard, maxZeroes);
    }

    long capacityBytes() {
        return capacitySectors << VirtioBlk.SECTOR_SHIFT;
    }
}
