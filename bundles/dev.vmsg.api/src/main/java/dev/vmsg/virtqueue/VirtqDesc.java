package dev.vmsg.virtqueue;

/** The split-ring descriptor layout (virtio 1.x §2.7.5): 16 bytes, little-endian. */
public final class VirtqDesc {
    /** The buffer continues via the {@code next} field. */
    public static final int F_NEXT = 1;
    /** The buffer is device write-only (otherwise device read-only). */
    public static final int F_WRITE = 2;
    /** The buffer holds a table of indirect descriptors. */
    public static final int F_INDIRECT = 4;

    /** Size of one descriptor in bytes. */
    public static final int SIZE = 16;
    /** Byte offsets of the fields inside one descriptor. */
    public static final int OFFSET_ADDR = 0;
    public static final int OFFSET_LEN = 8;
    public static final int OFFSET_FLAGS = 12;
    public static final int OFFSET_NEXT = 14;

    private VirtqDesc() {
    }
}
