package dev.vmsg.virtqueue;

/**
 * A private copy of one descriptor, read once from shared memory. All checks and all use apply
 * to this copy, never to the ring (HARDENING rule 1).
 *
 * @param address bus address of the buffer
 * @param length  buffer length, an unsigned 32-bit value (see {@link #lengthUnsigned()})
 * @param flags   {@link VirtqDesc} flags, 0..0xFFFF
 * @param next    the next field, 0..0xFFFF
 */
public record Descriptor(long address, int length, int flags, int next) {
    public boolean isWritable() {
        return (flags & VirtqDesc.F_WRITE) != 0;
    }

    public boolean hasNext() {
        return (flags & VirtqDesc.F_NEXT) != 0;
    }

    public boolean isIndirect() {
        return (flags & VirtqDesc.F_INDIRECT) != 0;
    }

    /** The length as the unsigned value the ring holds. */
    public long lengthUnsigned() {
        return Integer.toUnsignedLong(length);
    }
}
