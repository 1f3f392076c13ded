package dev.vmsg.memory;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Hands out granule-aligned regions of a {@link DmaWindow} for driver-side rings and buffers:
 * first fit over the free ranges, coalescing neighbours on free.
 *
 * <p>Thread-safe: every method is synchronized. The allocator keeps all its bookkeeping in
 * private memory; nothing is stored in the window.
 */
public final class DmaAllocator {
    private static final int DEFAULT_GRANULARITY = 4096;

    private final DmaWindow window;
    private final int granularity;
    private final long start;
    private final long end;
    /** Free ranges: bus address to length; never adjacent (always coalesced). */
    private final TreeMap<Long, Long> free = new TreeMap<>(Long::compareUnsigned);
    /** Live allocations: bus address to length, to reject double and foreign frees. */
    private final Map<Long, Long> allocated = new HashMap<>();
    private long freeBytes;

    /** Manages the whole window with 4096-byte granularity. */
    public DmaAllocator(DmaWindow window) {
        this(window, 0, window.size(), DEFAULT_GRANULARITY);
    }

    /**
     * Manages {@code [base + offset, base + offset + length)} of the window. The range is shrunk to
     * whole granules (aligned in bus address space).
     *
     * @param granularity a power of two; every region's address and size is a multiple of it
     */
    public DmaAllocator(DmaWindow window, long offset, long length, int granularity) {
        this.window = Objects.requireNonNull(window, "window");
        if (granularity <= 0 || Integer.bitCount(granularity) != 1) {
            throw new IllegalArgumentException("granularity must be a power of two, got " + granularity);
        }
        if (offset < 0 || length < 0 || length > window.size() || offset > window.size() - length) {
            throw new IllegalArgumentException("range [+0x" + Long.toHexString(offset) + ", +0x"
                    + Long.toHexString(length) + ") is not inside " + window);
        }
        this.granularity = granularity;
        long g = granularity;
        long lo = window.base() + offset;
        long hi = lo + length;
        long alignedLo = (lo + g - 1) & -g;
        long alignedHi = hi & -g;
        if (Long.compareUnsigned(alignedLo, alignedHi) >= 0 || Long.compareUnsigned(alignedLo, lo) < 0) {
            throw new IllegalArgumentException("range [+0x" + Long.toHexString(offset) + ", +0x"
                    + Long.toHexString(length) + ") of " + window + " holds no whole " + granularity + "-byte granule");
        }
        this.start = alignedLo;
        this.end = alignedHi;
        free.put(start, end - start);
        freeBytes = end - start;
    }

    /** The window this allocator carves up. */
    public DmaWindow window() {
        return window;
    }

    /** The granularity every region is rounded to. */
    public int granularity() {
        return granularity;
    }

    /**
     * Allocates at least {@code size} bytes, rounded up to the granularity, from the lowest free
     * range that fits.
     *
     * @throws IllegalArgumentException if {@code size <= 0}
     * @throws DmaExhaustedException    if no free range is large enough
     */
    public synchronized DmaRegion allocate(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("DMA allocation size must be > 0, got " + size);
        }
        long g = granularity;
        if (size > Long.MAX_VALUE - g) {
            throw exhausted(size);
        }
        long rounded = (size + g - 1) & -g;
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long len = e.getValue();
            if (len >= rounded) {
                long addr = e.getKey();
                free.remove(addr);
                if (len > rounded) {
                    free.put(addr + rounded, len - rounded);
                }
                allocated.put(addr, rounded);
                freeBytes -= rounded;
                return new DmaRegion(addr, rounded);
            }
        }
        throw exhausted(rounded);
    }

    private DmaExhaustedException exhausted(long size) {
        long largest = 0;
        for (long len : free.values()) {
            largest = Math.max(largest, len);
        }
        return new DmaExhaustedException("DMA window " + window + " cannot satisfy an allocation of " + size
                + " bytes: " + freeBytes + " bytes free, largest free range " + largest
                + " bytes; free buffers or configure a larger window", size);
    }

    /**
     * Returns a region to the free ranges, merging it with free neighbours.
     *
     * @throws IllegalArgumentException if {@code r} is not a live allocation of this allocator
     *                                  (double free, foreign region, or a different size)
     */
    public synchronized void free(DmaRegion r) {
        Objects.requireNonNull(r, "region");
        Long size = allocated.get(r.address());
        if (size == null || size != r.size()) {
            throw new IllegalArgumentException("DMA region at 0x" + Long.toHexString(r.address()) + " size "
                    + r.size() + " is not allocated from " + window + " (double free or foreign region)");
        }
        allocated.remove(r.address());
        freeBytes += size;
        long addr = r.address();
        long len = size;
        Map.Entry<Long, Long> below = free.floorEntry(addr);
        if (below != null && below.getKey() + below.getValue() == addr) {
            addr = below.getKey();
            len += below.getValue();
            free.remove(below.getKey());
        }
        Long aboveLen = free.get(r.address() + size);
        if (aboveLen != null) {
            free.remove(r.address() + size);
            len += aboveLen;
        }
        free.put(addr, len);
    }

    public synchronized long freeBytes() {
        return freeBytes;
    }

    public synchronized long allocatedBytes() {
        return (end - start) - freeBytes;
    }
}
