package dev.vmsg.virtqueue;

/**
 * One buffer a driver posts: a bus address range that becomes one descriptor.
 *
 * @param address bus address of the first byte
 * @param length  length in bytes, &gt;= 0
 */
public record BufferSegment(long address, int length) {
}
