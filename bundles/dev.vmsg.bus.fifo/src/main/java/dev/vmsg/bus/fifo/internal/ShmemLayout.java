package dev.vmsg.bus.fifo.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The 2026 AMP shared-memory layout "vmamp_shmem" version 1 (spec 6.3): a 64-byte self-describing
 * header at offset 0, one queue head per side and one queue of fixed-size elements per direction.
 * The device side builds it ({@link #deviceDefault}, {@link #writeTo}: magic written last); the
 * driver side validates what it finds ({@link #read}) and refuses anything inconsistent.
 *
 * <p>vmsg extension: features bit 15 ({@link #FEATURE_VMSG_LIVENESS}) says bytes 80..127 hold one
 * 16-byte liveness block per side (epoch, acknowledged peer epoch, heartbeat, parked flag) that the
 * layout of the spec has no room for; vmsg needs it to tell epochs apart and a hung peer from an
 * idle one. vmsg refuses a layout without it.
 *
 * @param features            header features (bit 0 MASKED_NOTIF, bit 15 vmsg liveness)
 * @param numNotif            u64 notification words per direction, 0..64
 * @param vqNotifPerDevice    1, 2, 4, 8 or 16 when numNotif &gt; 0
 * @param elementCount        elements per queue, &gt;= 2
 * @param elementSize         bytes per element (one whole message per element)
 * @param devNotif            offset of the device side's notification area (0 if none)
 * @param devHead             offset of the device side's queue head
 * @param devQueue            offset of the device-to-driver queue
 * @param drvNotif            offset of the driver side's notification area (0 if none)
 * @param drvHead             offset of the driver side's queue head
 * @param drvQueue            offset of the driver-to-device queue
 */
record ShmemLayout(int features, int numNotif, int vqNotifPerDevice, int elementCount, int elementSize,
        long devNotif, long devHead, long devQueue, long drvNotif, long drvHead, long drvQueue) {

    static final int MAGIC = 0x4C4F;            // "LO": layout OK
    static final int HEADER_LENGTH = 64;
    static final int VERSION = 1;
    static final int FEATURE_MASKED_NOTIF = 0x0001;
    static final int FEATURE_VMSG_LIVENESS = 0x8000;
    static final int QUEUE_HEAD_MAGIC = 0x514F; // "QO"
    static final int QUEUE_HEAD_SIZE = 8;
    /** vmsg liveness blocks: device side at 80, driver side at 96, 112..127 reserved. */
    static final int LIVENESS_OFFSET = 80;
    static final int LIVENESS_BLOCK = 16;
    static final int LIVENESS_END = 128;
    static final int MAX_NOTIF = 64;

    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * The layout the device side creates: liveness 80..127, the device queue head at 128 and the
     * driver queue head at 192 (one cache line each), queues from 256, no notification arrays.
     */
    static ShmemLayout deviceDefault(int elementSize, int elementCount) {
        if (elementCount < 2 || elementCount > 0xFFFF) {
            throw new IllegalArgumentException("queue element count " + elementCount + " outside 2..65535");
        }
        if (elementSize < 1 || elementSize > 0xFFFF) {
            throw new IllegalArgumentException("queue element size " + elementSize + " outside 1..65535");
        }
        long queueBytes = (long) elementCount * elementSize;
        // Each queue head on its own cache line: the two sides write their indices at full rate.
        long devQueue = LIVENESS_END + 2 * 64;
        long drvQueue = align(devQueue + queueBytes, 64);
        if (drvQueue + queueBytes > Integer.MAX_VALUE - 4096) {
            throw new IllegalArgumentException("queues of " + elementCount + " x " + elementSize
                    + " bytes do not fit in one 2 GiB mapping");
        }
        return new ShmemLayout(FEATURE_VMSG_LIVENESS, 0, 0, elementCount, elementSize, 0, LIVENESS_END, devQueue, 0,
                LIVENESS_END + 64, drvQueue);
    }

    /** The size of a file holding this layout: the end of the last region, rounded up to a page. */
    long fileSize() {
        return align(Math.max(devQueue, drvQueue) + queueBytes(), 4096);
    }

    long queueBytes() {
        return (long) elementCount * elementSize;
    }

    /** Liveness block offset of the device side (vmsg extension). */
    static int devLiveness() {
        return LIVENESS_OFFSET;
    }

    /** Liveness block offset of the driver side (vmsg extension). */
    static int drvLiveness() {
        return LIVENESS_OFFSET + LIVENESS_BLOCK;
    }

    /** Whether two layouts describe the same regions. */
    boolean sameGeometry(ShmemLayout other) {
        return equals(other);
    }

    private static long align(long v, int a) {
        return (v + a - 1) & -(long) a;
    }

    /**
     * Writes a fresh layout into {@code mem}: clears the magic first, zeroes every byte, writes the
     * header fields, and publishes the magic last with release semantics, so a peer that sees the
     * magic sees a complete header.
     */
    void writeTo(ByteBuffer mem) {
        ByteBuffer m = mem.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        SHORT.setRelease(m, 0, (short) 0);
        VarHandle.fullFence();
        long size = fileSize();
        for (int i = 8; i + 8 <= size; i += 8) {
            m.putLong(i, 0);
        }
        m.putShort(2, (short) HEADER_LENGTH);
        m.putShort(4, (short) VERSION);
        m.putShort(6, (short) features);
        m.put(8, (byte) numNotif);
        m.put(9, (byte) vqNotifPerDevice);
        m.putShort(10, (short) elementCount);
        m.putShort(12, (short) elementSize);
        m.putShort(14, (short) 0);
        m.putLong(16, devNotif);
        m.putLong(24, devHead);
        m.putLong(32, devQueue);
        m.putLong(40, drvNotif);
        m.putLong(48, drvHead);
        m.putLong(56, drvQueue);
        SHORT.setRelease(m, 0, (short) MAGIC);
    }

    /**
     * Reads and validates the layout at the start of {@code mem}, a region of {@code regionSize}
     * bytes. Every field is read once; checks apply to the copies.
     *
     * @throws LayoutException naming the first thing that is wrong
     */
    static ShmemLayout read(ByteBuffer mem, long regionSize) throws LayoutException {
        if (regionSize < HEADER_LENGTH || mem.capacity() < HEADER_LENGTH) {
            throw new LayoutException("region of " + regionSize + " bytes is too small for the " + HEADER_LENGTH
                    + "-byte layout header");
        }
        ByteBuffer m = mem.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int magic = Short.toUnsignedInt((short) SHORT.getAcquire(m, 0));
        if (magic != MAGIC) {
            throw new LayoutException(String.format("bad layout magic 0x%04X, expected 0x%04X ('LO'): the device side "
                    + "has not (yet) created the layout, or this is not a vmamp_shmem region", magic, MAGIC));
        }
        int length = Short.toUnsignedInt(m.getShort(2));
        int version = Short.toUnsignedInt(m.getShort(4));
        int features = Short.toUnsignedInt(m.getShort(6));
        int numNotif = Byte.toUnsignedInt(m.get(8));
        int perDevice = Byte.toUnsignedInt(m.get(9));
        int count = Short.toUnsignedInt(m.getShort(10));
        int size = Short.toUnsignedInt(m.getShort(12));
        int reserved = Short.toUnsignedInt(m.getShort(14));
        ShmemLayout l = new ShmemLayout(features, numNotif, perDevice, count, size, m.getLong(16), m.getLong(24),
                m.getLong(32), m.getLong(40), m.getLong(48), m.getLong(56));
        if (length != HEADER_LENGTH) {
            throw new LayoutException("layout length " + length + ", expected " + HEADER_LENGTH);
        }
        if (version != VERSION) {
            throw new LayoutException("layout version " + version + " is not supported (only version 1)");
        }
        if (reserved != 0) {
            throw new LayoutException("reserved header field is " + reserved + ", must be 0");
        }
        if (count < 2) {
            throw new LayoutException("num_queue_elements " + count + " is below 2");
        }
        if (size == 0) {
            throw new LayoutException("size_queue_elements is 0");
        }
        if (numNotif > MAX_NOTIF) {
            throw new LayoutException("num_notif " + numNotif + " is above " + MAX_NOTIF);
        }
        if (numNotif > 0 && (perDevice == 0 || perDevice > 16 || Integer.bitCount(perDevice) != 1)) {
            throw new LayoutException("num_vq_notif_per_device " + perDevice + " must be 1, 2, 4, 8 or 16");
        }
        if ((features & FEATURE_VMSG_LIVENESS) == 0) {
            throw new LayoutException("the layout lacks the vmsg liveness extension (features bit 15); vmsg needs "
                    + "it to tell epochs apart and a hung peer from an idle one");
        }
        List<Region> regions = new ArrayList<>();
        regions.add(new Region("layout header", 0, HEADER_LENGTH));
        regions.add(new Region("vmsg liveness blocks", LIVENESS_OFFSET, LIVENESS_END - LIVENESS_OFFSET));
        regions.add(checked("device queue head", l.devHead, QUEUE_HEAD_SIZE, 2, regionSize));
        regions.add(checked("driver queue head", l.drvHead, QUEUE_HEAD_SIZE, 2, regionSize));
        regions.add(checked("device queue", l.devQueue, l.queueBytes(), 1, regionSize));
        regions.add(checked("driver queue", l.drvQueue, l.queueBytes(), 1, regionSize));
        if (numNotif > 0) {
            long notifBytes = (long) numNotif * 8 * ((features & FEATURE_MASKED_NOTIF) != 0 ? 3 : 2);
            regions.add(checked("device notification area", l.devNotif, notifBytes, 8, regionSize));
            regions.add(checked("driver notification area", l.drvNotif, notifBytes, 8, regionSize));
        }
        if (LIVENESS_END > regionSize) {
            throw new LayoutException("region of " + regionSize + " bytes is too small for the vmsg liveness blocks");
        }
        for (int i = 0; i < regions.size(); i++) {
            for (int j = i + 1; j < regions.size(); j++) {
                Region a = regions.get(i);
                Region b = regions.get(j);
                if (a.offset < b.offset + b.length && b.offset < a.offset + a.length) {
                    throw new LayoutException(a + " overlaps " + b);
                }
            }
        }
        return l;
    }

    private static Region checked(String name, long offset, long length, int alignment, long regionSize)
            throws LayoutException {
        if (offset == 0) {
            throw new LayoutException(name + " offset is 0");
        }
        // Overflow-free: offset <= size and length <= size - offset, offsets read as unsigned.
        if (Long.compareUnsigned(offset, regionSize) > 0 || length > regionSize - offset) {
            throw new LayoutException(name + " [0x" + Long.toHexString(offset) + ", +0x" + Long.toHexString(length)
                    + ") lies outside the region of " + regionSize + " bytes");
        }
        if (offset % alignment != 0) {
            throw new LayoutException(name + " offset 0x" + Long.toHexString(offset) + " is not " + alignment
                    + "-byte aligned");
        }
        return new Region(name, offset, length);
    }

    private record Region(String name, long offset, long length) {
        @Override
        public String toString() {
            return name + " [0x" + Long.toHexString(offset) + ", 0x" + Long.toHexString(offset + length) + ")";
        }
    }
}
