package dev.vmsg.hardening;

import dev.vmsg.virtqueue.VirtqDesc;

/**
 * Writes well-formed driver operations in the format {@link HostileRing#apply} reads: the seed
 * inputs of the queue and device-model targets are real chains built with it.
 */
public final class RingSeeds {
    private RingSeeds() {
    }

    /** Descriptor {@code i} of the queue's table over {@code [data + offset, +len)}. */
    public static SeedWriter desc(SeedWriter w, int i, int offset, int len, int flags, int next) {
        return descriptor(w.u8(HostileRing.OP_DESC), i, offset, len, flags, next);
    }

    /** Descriptor {@code i} of the indirect table at the start of the data area. */
    public static SeedWriter indirectDesc(SeedWriter w, int i, int offset, int len, int flags, int next) {
        return descriptor(w.u8(HostileRing.OP_INDIRECT_DESC), i, offset, len, flags, next);
    }

    private static SeedWriter descriptor(SeedWriter w, int i, int offset, int len, int flags, int next) {
        return w.u8(i).u8(HostileRing.ADDR_DATA).u16(offset).u8(HostileRing.LEN_SMALL).u16(len).u8(flags).u8(next);
    }

    /** Puts {@code head} in the avail ring. */
    public static SeedWriter publish(SeedWriter w, int head) {
        return w.u8(HostileRing.OP_PUBLISH).u8(head);
    }

    /** Copies {@code bytes} to {@code data + offset}. */
    public static SeedWriter data(SeedWriter w, int offset, byte[] bytes) {
        return w.u8(HostileRing.OP_DATA).bytes(bytes).u16(offset);
    }

    public static final int NEXT = VirtqDesc.F_NEXT;
    public static final int WRITE = VirtqDesc.F_WRITE;
    public static final int INDIRECT = VirtqDesc.F_INDIRECT;
}
