package dev.vmsg.virtqueue;

import dev.vmsg.memory.DmaWindow;
import dev.vmsg.virtqueue.VirtqueueException.Reason;

/**
 * Layout constants and arithmetic of the virtio 1.x split ring (§2.7). All fields little-endian:
 * <pre>
 * descriptor table: N x {addr u64, len u32, flags u16, next u16}
 * avail ring:       flags u16, idx u16, ring[N] u16, used_event u16
 * used ring:        flags u16, idx u16, ring[N] {id u32, len u32}, avail_event u16
 * </pre>
 */
public final class SplitRing {
    /** Largest split-ring queue size. */
    public static final int MAX_SIZE = 32768;
    public static final int DESC_ALIGN = 16;
    public static final int AVAIL_ALIGN = 2;
    public static final int USED_ALIGN = 4;

    /** avail.flags: the driver does not want EVENT_USED (ignored with VIRTIO_F_EVENT_IDX). */
    public static final int AVAIL_F_NO_INTERRUPT = 1;
    /** used.flags: the device does not want EVENT_AVAIL (ignored with VIRTIO_F_EVENT_IDX). */
    public static final int USED_F_NO_NOTIFY = 1;

    /** Byte offsets inside the avail and used rings. */
    /**
     * Distance ahead of the current index at which a side that polls parks its event word
     * (used_event or avail_event) with VIRTIO_F_EVENT_IDX: half the 16-bit index space, which the
     * other side's index cannot cross while at most a ring's worth (<= 32768) is outstanding, so
     * no notification is due. Linux writes a fixed 0 for the same purpose, which can still fire.
     */
    public static final int EVENT_PARKED = 0x8000;

    public static final int OFFSET_FLAGS = 0;
    public static final int OFFSET_IDX = 2;
    public static final int OFFSET_RING = 4;
    /** Size of one used-ring element. */
    public static final int USED_ELEM_SIZE = 8;

    private SplitRing() {
    }

    /** Whether {@code n} is a power of two in 1..{@link #MAX_SIZE}. */
    public static boolean isValidSize(int n) {
        return n >= 1 && n <= MAX_SIZE && (n & (n - 1)) == 0;
    }

    public static long descriptorTableBytes(int n) {
        return 16L * n;
    }

    /** 6 + 2n: flags, idx, ring, used_event. */
    public static long availRingBytes(int n) {
        return 6L + 2L * n;
    }

    /** 6 + 8n: flags, idx, ring, avail_event. */
    public static long usedRingBytes(int n) {
        return 6L + 8L * n;
    }

    /** Offset of used_event inside the avail ring. */
    public static long usedEventOffset(int n) {
        return OFFSET_RING + 2L * n;
    }

    /** Offset of avail_event inside the used ring. */
    public static long availEventOffset(int n) {
        return OFFSET_RING + 8L * n;
    }

    /**
     * Bytes needed to lay out all three rings back to back from a 16-aligned address with
     * {@link #contiguousLayout(long, int)}.
     */
    public static long contiguousBytes(int n) {
        long used = alignUp(descriptorTableBytes(n) + availRingBytes(n), USED_ALIGN);
        return used + usedRingBytes(n);
    }

    /** The three rings back to back from {@code base} (which must be 16-aligned). */
    public static VirtqueueAddresses contiguousLayout(long base, int n) {
        if (!isValidSize(n)) {
            throw new IllegalArgumentException("invalid split ring size " + n);
        }
        long avail = base + descriptorTableBytes(n);
        long used = base + alignUp(descriptorTableBytes(n) + availRingBytes(n), USED_ALIGN);
        return new VirtqueueAddresses(base, avail, used);
    }

    private static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }

    /**
     * virtio's vring_need_event: whether moving an index from {@code oldIdx} to {@code newIdx}
     * crossed {@code event}. All three are 16-bit ring indices.
     */
    public static boolean needEvent(int event, int newIdx, int oldIdx) {
        return ((newIdx - event - 1) & 0xFFFF) < ((newIdx - oldIdx) & 0xFFFF);
    }

    /**
     * Whether the peer wants a notification for an index that moved from {@code oldIdx} to
     * {@code newIdx} (virtio 1.x §2.7.7, §2.7.10): with EVENT_IDX, whether the move crossed the
     * peer's event word; otherwise whether the peer left its suppression flag clear. Both halves
     * ask the same question of the other's ring: the device of avail (used_event, NO_INTERRUPT),
     * the driver of used (avail_event, NO_NOTIFY).
     */
    static boolean peerWantsNotification(DmaWindow window, boolean eventIdx, long eventWordAddr, long flagsAddr,
            int suppressFlag, int newIdx, int oldIdx) {
        if (newIdx == oldIdx) {
            return false;
        }
        if (eventIdx) {
            return needEvent(window.getShortAcquire(eventWordAddr) & 0xFFFF, newIdx, oldIdx);
        }
        return (window.getShortAcquire(flagsAddr) & suppressFlag) == 0;
    }

    /**
     * Checks a queue layout against the rules both halves share (HARDENING rule 2, matrix row 7).
     *
     * @throws VirtqueueException BAD_SIZE, MISALIGNED, OUT_OF_WINDOW or RINGS_OVERLAP
     */
    static void validate(DmaWindow window, int queue, int size, VirtqueueAddresses a) {
        if (!isValidSize(size)) {
            throw new VirtqueueException(Reason.BAD_SIZE, -1, "virtqueue " + queue + ": size " + size
                    + " is not a power of two in 1.." + MAX_SIZE);
        }
        checkAlign(queue, "descriptor table", a.descriptorAddr(), DESC_ALIGN);
        checkAlign(queue, "avail ring", a.driverAddr(), AVAIL_ALIGN);
        checkAlign(queue, "used ring", a.deviceAddr(), USED_ALIGN);
        checkInside(window, queue, "descriptor table", a.descriptorAddr(), descriptorTableBytes(size));
        checkInside(window, queue, "avail ring", a.driverAddr(), availRingBytes(size));
        checkInside(window, queue, "used ring", a.deviceAddr(), usedRingBytes(size));
        // All three are inside the window now, so offsets from its base cannot overflow.
        long d = a.descriptorAddr() - window.base();
        long av = a.driverAddr() - window.base();
        long u = a.deviceAddr() - window.base();
        if (overlaps(d, descriptorTableBytes(size), av, availRingBytes(size))
                || overlaps(d, descriptorTableBytes(size), u, usedRingBytes(size))
                || overlaps(av, availRingBytes(size), u, usedRingBytes(size))) {
            throw new VirtqueueException(Reason.RINGS_OVERLAP, -1, "virtqueue " + queue
                    + ": rings overlap (desc 0x" + Long.toHexString(a.descriptorAddr()) + ", avail 0x"
                    + Long.toHexString(a.driverAddr()) + ", used 0x" + Long.toHexString(a.deviceAddr())
                    + ", size " + size + ")");
        }
    }

    /** Whether two ranges given as window offsets overlap. */
    static boolean overlaps(long aOff, long aLen, long bOff, long bLen) {
        return aOff < bOff + bLen && bOff < aOff + aLen;
    }

    private static void checkAlign(int queue, String what, long addr, int align) {
        if ((addr & (align - 1)) != 0) {
            throw new VirtqueueException(Reason.MISALIGNED, -1, "virtqueue " + queue + ": " + what + " at 0x"
                    + Long.toHexString(addr) + " is not " + align + "-byte aligned");
        }
    }

    private static void checkInside(DmaWindow window, int queue, String what, long addr, long len) {
        if (!window.contains(addr, len)) {
            throw new VirtqueueException(Reason.OUT_OF_WINDOW, -1, "virtqueue " + queue + ": " + what + " [0x"
                    + Long.toHexString(addr) + ", +0x" + Long.toHexString(len) + ") is outside " + window);
        }
    }
}
