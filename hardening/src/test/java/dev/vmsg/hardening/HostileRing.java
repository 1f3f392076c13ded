package dev.vmsg.hardening;

import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.SplitRing;
import dev.vmsg.virtqueue.VirtqDesc;
import dev.vmsg.virtqueue.VirtqueueAddresses;

/**
 * The driver half as a hostile peer writes it: raw split-ring bytes in a real window, taken from a
 * {@link FuzzInput}. It checks nothing. Addresses and lengths are biased towards the edges that
 * matter (HARDENING rows 1-6: the window's ends, wrap-around at 2^64, the rings themselves, the
 * queue size and 0xFFFF as indices) and otherwise land in a data area after the rings, where an
 * indirect table can be built too.
 */
public final class HostileRing {
    /** Operations {@link #apply} understands; a seed writer names them. */
    public static final int OP_DESC = 0;
    public static final int OP_INDIRECT_DESC = 1;
    public static final int OP_PUBLISH = 2;
    public static final int OP_AVAIL_IDX = 3;
    public static final int OP_SUPPRESS = 4;
    public static final int OP_DATA = 5;
    public static final int OPS = 6;

    /** Address modes of {@link #address}: data area offset, raw, near the window end, below the window, the rings. */
    public static final int ADDR_DATA = 0;
    /** Length modes of {@link #length}: small, raw u32. */
    public static final int LEN_SMALL = 0;

    private final DmaWindow w;
    private final int size;
    private final VirtqueueAddresses a;
    private final long data;
    private final int dataLength;
    private int availIdx;

    public HostileRing(DmaWindow w, int size, VirtqueueAddresses a, long data, int dataLength) {
        this.w = w;
        this.size = size;
        this.a = a;
        this.data = data;
        this.dataLength = dataLength;
    }

    public VirtqueueAddresses addresses() {
        return a;
    }

    public int size() {
        return size;
    }

    /** Where indirect tables are written: the start of the data area. */
    public long indirectTable() {
        return data;
    }

    /** Applies one driver-side write taken from {@code in}. */
    public void apply(FuzzInput in) {
        switch (in.u8() % OPS) {
            case OP_DESC -> desc(a.descriptorAddr(), index(in), size, in);
            case OP_INDIRECT_DESC -> desc(data, in.u8() % 64, 64, in);
            case OP_PUBLISH -> publish(index(in));
            case OP_AVAIL_IDX -> availIdx(in);
            case OP_SUPPRESS -> suppress(in);
            default -> {
                byte[] b = in.bytes(256);
                int off = in.u16() % Math.max(1, dataLength - b.length);
                w.write(data + off, b, 0, b.length);
            }
        }
    }

    /** A descriptor or avail index: mostly in range, sometimes size, size + k or 0xFFFF. */
    private int index(FuzzInput in) {
        int v = in.u8();
        return switch (v >>> 6) {
            case 0, 1 -> v % size;
            case 2 -> size + (v & 3);
            default -> v == 0xFF ? 0xFFFF : (v & 0x3F) % size;
        };
    }

    private void desc(long table, int i, int tableSize, FuzzInput in) {
        if (i >= tableSize) {
            return; // an index past the table is for the device to reject as a head or next, not to write
        }
        long addr = address(in);
        int len = length(in);
        int flags = in.u8();
        int next = index(in);
        write(table, i, addr, len, flags & 0x7, next);
    }

    /** Writes descriptor {@code i} of {@code table} verbatim. */
    public void write(long table, int i, long addr, int len, int flags, int next) {
        long at = table + (long) VirtqDesc.SIZE * i;
        w.putLong(at + VirtqDesc.OFFSET_ADDR, addr);
        w.putInt(at + VirtqDesc.OFFSET_LEN, len);
        w.putShort(at + VirtqDesc.OFFSET_FLAGS, (short) flags);
        w.putShort(at + VirtqDesc.OFFSET_NEXT, (short) next);
    }

    /** A buffer address: the data area mostly; the window's edges, 2^64 wrap and the rings otherwise. */
    public long address(FuzzInput in) {
        int mode = in.u8();
        int off = in.u16();
        return switch (mode % 8) {
            case 1 -> in.u64();
            case 2 -> w.base() + w.size() - (off & 0xFF);
            case 3 -> w.base() - 1 - (off & 0xFF);
            case 4 -> a.descriptorAddr() + (off & 0x3FF);
            case 5 -> 0xFFFF_FFFF_FFFF_FFF0L + (off & 0xF);
            default -> data + off % dataLength;
        };
    }

    /** A length: small mostly, 0, 0xFFFF_FFFF and raw values otherwise. */
    public int length(FuzzInput in) {
        int mode = in.u8();
        int v = in.u16();
        return switch (mode % 8) {
            case 1 -> in.u32();
            case 2 -> 0;
            case 3 -> 0xFFFF_FFFF;
            case 4 -> 0x8000_0000 + v;
            default -> v % 4096;
        };
    }

    /** Puts {@code head} in the next avail slot and publishes avail.idx + 1. */
    public void publish(int head) {
        w.putShort(a.driverAddr() + SplitRing.OFFSET_RING + 2L * (availIdx % size), (short) head);
        availIdx = (availIdx + 1) & 0xFFFF;
        w.putShortRelease(a.driverAddr() + SplitRing.OFFSET_IDX, (short) availIdx);
    }

    /** avail.idx abuse (row 6): one past the size, one back, or any value. */
    private void availIdx(FuzzInput in) {
        int v = switch (in.u8() % 4) {
            case 0 -> availIdx + size + 1;
            case 1 -> availIdx - 1;
            case 2 -> availIdx + 1;
            default -> in.u16();
        };
        availIdx = v & 0xFFFF;
        w.putShortRelease(a.driverAddr() + SplitRing.OFFSET_IDX, (short) availIdx);
    }

    /** The driver's suppression fields: avail.flags and used_event. */
    private void suppress(FuzzInput in) {
        w.putShortRelease(a.driverAddr() + SplitRing.OFFSET_FLAGS, (short) in.u16());
        w.putShortRelease(a.driverAddr() + SplitRing.usedEventOffset(size), (short) in.u16());
    }

    /** Zeroes the three rings, as a driver does when it sets a queue up again after a reset. */
    public void clear() {
        w.fill(a.descriptorAddr(), SplitRing.descriptorTableBytes(size), (byte) 0);
        w.fill(a.driverAddr(), SplitRing.availRingBytes(size), (byte) 0);
        w.fill(a.deviceAddr(), SplitRing.usedRingBytes(size), (byte) 0);
        availIdx = 0;
    }

    /** used.idx as the device published it. */
    public int usedIdx() {
        return w.getShortAcquire(a.deviceAddr() + SplitRing.OFFSET_IDX) & 0xFFFF;
    }

    /** Used element {@code n} (free-running): {id, len}. */
    public int[] usedElement(int n) {
        long e = a.deviceAddr() + SplitRing.OFFSET_RING + (long) SplitRing.USED_ELEM_SIZE * (n % size);
        return new int[] {w.getInt(e), w.getInt(e + 4)};
    }
}
