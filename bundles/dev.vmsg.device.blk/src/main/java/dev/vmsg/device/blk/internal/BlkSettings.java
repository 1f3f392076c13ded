package dev.vmsg.device.blk.internal;

/**
 * What a virtio-blk device offers besides its store: queues, limits and identity. Everything the
 * driver may ask for is checked against these before any I/O.
 *
 * @param numQueues             request queues (1..64); more than one offers VIRTIO_BLK_F_MQ
 * @param queueSize             largest size of each queue (power of two, 1..32768)
 * @param readOnly              offer VIRTIO_BLK_F_RO and refuse every write
 * @param serial                the GET_ID answer (at most 20 bytes of ASCII), or empty for none
 * @param blockSize             blk_size: the logical block size the driver should align to
 * @param sizeMax               size_max: the largest single data descriptor
 * @param segMax                seg_max: the most data descriptors in one request
 * @param maxDiscardSectors     cap per discard segment
 * @param maxDiscardSegments    cap of segments per discard request
 * @param maxWriteZeroesSectors cap per write-zeroes segment
 * @param maxWriteZeroesSegments cap of segments per write-zeroes request
 */
record BlkSettings(int numQueues, int queueSize, boolean readOnly, String serial, int blockSize, int sizeMax,
        int segMax, int maxDiscardSectors, int maxDiscardSegments, int maxWriteZeroesSectors,
        int maxWriteZeroesSegments) {

    /** One queue of 128, writable, 512-byte blocks, 128 KiB segments, 64 of them. */
    static final BlkSettings DEFAULTS = new BlkSettings(1, 128, false, "", 512, 128 * 1024, 64, 8192, 8, 8192, 8);

    BlkSettings {
        if (numQueues < 1 || numQueues > 64) {
            throw new IllegalArgumentException("queues must be 1..64: " + numQueues);
        }
        if (queueSize < 1 || queueSize > 32768 || Integer.bitCount(queueSize) != 1) {
            throw new IllegalArgumentException("queue size must be a power of two in 1..32768: " + queueSize);
        }
        if (blockSize < VirtioBlk.SECTOR_SIZE || blockSize > 65536 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two in 512..65536: " + blockSize);
        }
        if (sizeMax < VirtioBlk.SECTOR_SIZE || segMax < 1 || (long) sizeMax * segMax > 64L * 1024 * 1024) {
            throw new IllegalArgumentException("size_max " + sizeMax + " x seg_max " + segMax
                    + " must be at least 512 bytes and at most 64 MiB per request");
        }
        if (maxDiscardSectors < 1 || maxDiscardSegments < 1 || maxWriteZeroesSectors < 1
                || maxWriteZeroesSegments < 1 || maxDiscardSegments > 256 || maxWriteZeroesSegments > 256) {
            throw new IllegalArgumentException("discard and write-zeroes limits must be positive, at most 256 segments");
        }
        serial = serial == null ? "" : serial;
        if (serial.length() > VirtioBlk.ID_BYTES || !serial.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("serial must be at most 20 printable ASCII characters: '" + serial + "'");
        }
    }

    /** Largest data payload of one request: what the device will move for a single chain. */
    long maxRequestBytes() {
        return (long) sizeMax * segMax;
    }

    BlkSettings withQueues(int queues, int size) {
        return new BlkSettings(queues, size, readOnly, serial, blockSize, sizeMax, segMax, maxDiscardSectors,
                maxDiscardSegments, maxWriteZeroesSectors, maxWriteZeroesSegments);
    }

    BlkSettings withReadOnly(boolean ro) {
        return new BlkSettings(numQueues, queueSize, ro, serial, blockSize, sizeMax, segMax, maxDiscardSectors,
                maxDiscardSegments, maxWriteZeroesSectors, maxWriteZeroesSegments);
    }

    BlkSettings withSerial(String s) {
        return new BlkSettings(numQueues, queueSize, readOnly, s, blockSize, sizeMax, segMax, maxDiscardSectors,
                maxDiscardSegments, maxWriteZeroesSectors, maxWriteZeroesSegments);
    }
}
