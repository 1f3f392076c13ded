package dev.vmsg.device.blk.internal;

/** virtio-blk facts from the spec (virtio 1.x §5.2): request types, status values, feature bits, config layout. */
final class VirtioBlk {

    /** Sectors are always 512 bytes, whatever blk_size says (§5.2.6). */
    static final int SECTOR_SIZE = 512;
    static final int SECTOR_SHIFT = 9;

    /** struct virtio_blk_req header: type u32, reserved u32, sector u64. */
    static final int HEADER_SIZE = 16;
    /** struct virtio_blk_discard_write_zeroes: sector u64, num_sectors u32, flags u32. */
    static final int SEGMENT_SIZE = 16;
    /** GET_ID answers with a serial of at most 20 bytes. */
    static final int ID_BYTES = 20;

    static final int T_IN = 0;
    static final int T_OUT = 1;
    static final int T_FLUSH = 4;
    static final int T_GET_ID = 8;
    static final int T_DISCARD = 11;
    static final int T_WRITE_ZEROES = 13;

    static final int S_OK = 0;
    static final int S_IOERR = 1;
    static final int S_UNSUPP = 2;

    /** Flag of a discard/write-zeroes segment: the device may unmap (write-zeroes only). */
    static final int SEGMENT_F_UNMAP = 1;

    static final int F_SIZE_MAX = 1;
    static final int F_SEG_MAX = 2;
    static final int F_RO = 5;
    static final int F_BLK_SIZE = 6;
    static final int F_FLUSH = 9;
    static final int F_MQ = 12;
    static final int F_DISCARD = 13;
    static final int F_WRITE_ZEROES = 14;

    /** Names of the virtio-blk feature bits (§5.2.3), for administration. */
    static final java.util.Map<Integer, String> FEATURE_NAMES = java.util.Map.ofEntries(
            java.util.Map.entry(F_SIZE_MAX, "VIRTIO_BLK_F_SIZE_MAX"),
            java.util.Map.entry(F_SEG_MAX, "VIRTIO_BLK_F_SEG_MAX"),
            java.util.Map.entry(4, "VIRTIO_BLK_F_GEOMETRY"),
            java.util.Map.entry(F_RO, "VIRTIO_BLK_F_RO"),
            java.util.Map.entry(F_BLK_SIZE, "VIRTIO_BLK_F_BLK_SIZE"),
            java.util.Map.entry(F_FLUSH, "VIRTIO_BLK_F_FLUSH"),
            java.util.Map.entry(10, "VIRTIO_BLK_F_TOPOLOGY"),
            java.util.Map.entry(11, "VIRTIO_BLK_F_CONFIG_WCE"),
            java.util.Map.entry(F_MQ, "VIRTIO_BLK_F_MQ"),
            java.util.Map.entry(F_DISCARD, "VIRTIO_BLK_F_DISCARD"),
            java.util.Map.entry(F_WRITE_ZEROES, "VIRTIO_BLK_F_WRITE_ZEROES"),
            java.util.Map.entry(15, "VIRTIO_BLK_F_LIFETIME"),
            java.util.Map.entry(16, "VIRTIO_BLK_F_SECURE_ERASE"),
            java.util.Map.entry(17, "VIRTIO_BLK_F_ZONED"));

    // struct virtio_blk_config offsets (§5.2.4)
    static final int CFG_CAPACITY = 0;
    static final int CFG_SIZE_MAX = 8;
    static final int CFG_SEG_MAX = 12;
    static final int CFG_GEOMETRY = 16;
    static final int CFG_BLK_SIZE = 20;
    static final int CFG_TOPOLOGY = 24;
    static final int CFG_WRITEBACK = 32;
    static final int CFG_NUM_QUEUES = 34;
    static final int CFG_MAX_DISCARD_SECTORS = 36;
    static final int CFG_MAX_DISCARD_SEG = 40;
    static final int CFG_DISCARD_SECTOR_ALIGNMENT = 44;
    static final int CFG_MAX_WRITE_ZEROES_SECTORS = 48;
    static final int CFG_MAX_WRITE_ZEROES_SEG = 52;
    static final int CFG_WRITE_ZEROES_MAY_UNMAP = 56;
    /** Config bytes this device serves: up to write_zeroes_may_unmap and its padding. */
    static final int CONFIG_SIZE = 60;

    static String typeName(int type) {
        return switch (type) {
            case T_IN -> "IN";
            case T_OUT -> "OUT";
            case T_FLUSH -> "FLUSH";
            case T_GET_ID -> "GET_ID";
            case T_DISCARD -> "DISCARD";
            case T_WRITE_ZEROES -> "WRITE_ZEROES";
            default -> "type " + Integer.toUnsignedString(type);
        };
    }

    private VirtioBlk() {
    }
}
