package dev.vmsg.memory;

/**
 * A range of bus addresses handed out by a {@link DmaAllocator}.
 *
 * @param address the bus address of the first byte
 * @param size    the size in bytes (a multiple of the allocator's granularity)
 */
public record DmaRegion(long address, long size) {
}
