package dev.vmsg.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The memory a device can reach, addressed by bus address: the window covers
 * {@code [base, base + size)}. Every access is checked against the window with overflow-free
 * unsigned arithmetic before anything is read or written (HARDENING rules 1 and 2); this class is
 * the one audited accessor for shared memory.
 *
 * <p>All multi-byte values are little-endian. Ring indices use the acquire/release accessors,
 * which need naturally aligned addresses.
 *
 * <p>Thread-safe: every access is absolute, so any number of threads may use one window at once.
 * Plain accessors give no ordering guarantee; use the acquire/release accessors or
 * {@link VarHandle} fences to publish data to the peer.
 */
public final class DmaWindow {
    private static final int PAGE_SIZE = 4096;
    private static final VarHandle SHORT =
            MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final long base;
    private final int size;
    private final ByteBuffer memory;

    private DmaWindow(long base, ByteBuffer memory) {
        this.base = base;
        this.size = memory.capacity();
        this.memory = memory;
        if ((base & 7) != 0) {
            throw new IllegalArgumentException("DMA window base 0x" + Long.toHexString(base)
                    + " is not 8-byte aligned; ring indices need naturally aligned bus addresses");
        }
        if (size <= 0) {
            throw new IllegalArgumentException("DMA window must not be empty");
        }
        // base + size must not pass 2^64: base <= 2^64 - size (unsigned).
        if (Long.compareUnsigned(base, -(long) size) > 0) {
            throw new IllegalArgumentException("DMA window at 0x" + Long.toHexString(base) + " of 0x"
                    + Integer.toHexString(size) + " bytes wraps past the end of the 64-bit bus address space");
        }
    }

    /**
     * Allocates a window of fresh, zeroed, page-aligned direct memory.
     *
     * @param busBase the bus address of the first byte (8-byte aligned)
     * @param size    the size in bytes, &gt; 0
     */
    public static DmaWindow allocate(long busBase, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("DMA window size must be > 0, got " + size);
        }
        if (size > Integer.MAX_VALUE - PAGE_SIZE) {
            throw new IllegalArgumentException("DMA window size " + size + " is too large to page-align");
        }
        ByteBuffer raw = ByteBuffer.allocateDirect(size + PAGE_SIZE - 1);
        ByteBuffer aligned = raw.alignedSlice(PAGE_SIZE).slice(0, size).order(ByteOrder.LITTLE_ENDIAN);
        return new DmaWindow(busBase, aligned);
    }

    /**
     * Wraps existing memory, for example a {@code MappedByteBuffer} of a file shared with the peer.
     * The window covers the whole capacity of {@code memory}, ignoring its position and limit; the
     * caller's buffer state is never changed.
     *
     * @param busBase the bus address of {@code memory}'s first byte (8-byte aligned)
     * @param memory  writable memory; if direct it must start 8-byte aligned
     */
    public static DmaWindow wrap(long busBase, ByteBuffer memory) {
        Objects.requireNonNull(memory, "memory");
        if (memory.isReadOnly()) {
            throw new IllegalArgumentException("DMA window memory must be writable");
        }
        ByteBuffer view = memory.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
        if (view.isDirect() && view.capacity() > 0 && view.alignmentOffset(0, 8) != 0) {
            throw new IllegalArgumentException("DMA window memory must start 8-byte aligned");
        }
        return new DmaWindow(busBase, view);
    }

    /** The bus address of the first byte. */
    public long base() {
        return base;
    }

    /** The size in bytes. */
    public long size() {
        return size;
    }

    /**
     * Whether {@code [busAddr, busAddr + length)} lies wholly inside the window. Both arguments are
     * unsigned 64-bit values; the check cannot overflow.
     */
    public boolean contains(long busAddr, long length) {
        return Long.compareUnsigned(busAddr, base) >= 0
                && Long.compareUnsigned(length, size) <= 0
                && Long.compareUnsigned(busAddr - base, size - length) <= 0;
    }

    /** Throws {@link DmaAccessException} unless {@link #contains(long, long)}. */
    public void checkRange(long busAddr, long length) {
        if (!contains(busAddr, length)) {
            throw outside(busAddr, length);
        }
    }

    private DmaAccessException outside(long busAddr, long length) {
        return new DmaAccessException("DMA access to [0x" + Long.toHexString(busAddr) + ", +0x"
                + Long.toHexString(length) + ") is outside the window " + describe(), busAddr, length);
    }

    private String describe() {
        long end = base + size;
        return "[0x" + Long.toHexString(base) + ", 0x" + (end == 0 ? "1" + "0".repeat(16) : Long.toHexString(end)) + ")";
    }

    /** The buffer offset of a checked range. */
    private int offset(long busAddr, long length) {
        checkRange(busAddr, length);
        return (int) (busAddr - base);
    }

    private int aligned(long busAddr, int width) {
        int off = offset(busAddr, width);
        if ((off & (width - 1)) != 0) {
            throw new DmaAccessException("DMA access at 0x" + Long.toHexString(busAddr) + " is not "
                    + width + "-byte aligned, as atomic access requires; window " + describe(), busAddr, width);
        }
        return off;
    }

    public byte getByte(long a) {
        return memory.get(offset(a, 1));
    }

    public short getShort(long a) {
        return memory.getShort(offset(a, 2));
    }

    public int getInt(long a) {
        return memory.getInt(offset(a, 4));
    }

    public long getLong(long a) {
        return memory.getLong(offset(a, 8));
    }

    public void putByte(long a, byte v) {
        memory.put(offset(a, 1), v);
    }

    public void putShort(long a, short v) {
        memory.putShort(offset(a, 2), v);
    }

    public void putInt(long a, int v) {
        memory.putInt(offset(a, 4), v);
    }

    public void putLong(long a, long v) {
        memory.putLong(offset(a, 8), v);
    }

    /** Reads a 2-aligned little-endian short with acquire semantics (ring indices). */
    public short getShortAcquire(long a) {
        return (short) SHORT.getAcquire(memory, aligned(a, 2));
    }

    /** Writes a 2-aligned little-endian short with release semantics (ring indices). */
    public void putShortRelease(long a, short v) {
        SHORT.setRelease(memory, aligned(a, 2), v);
    }

    /** Reads a 4-aligned little-endian int with acquire semantics. */
    public int getIntAcquire(long a) {
        return (int) INT.getAcquire(memory, aligned(a, 4));
    }

    /** Writes a 4-aligned little-endian int with release semantics. */
    public void putIntRelease(long a, int v) {
        INT.setRelease(memory, aligned(a, 4), v);
    }

    public void read(long a, byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        memory.get(offset(a, len), dst, off, len);
    }

    public void write(long a, byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        memory.put(offset(a, len), src, off, len);
    }

    /** Fills {@code dst.remaining()} bytes from {@code a} and advances {@code dst}'s position. */
    public void read(long a, ByteBuffer dst) {
        int n = dst.remaining();
        int o = offset(a, n);
        int p = dst.position();
        dst.put(p, memory, o, n);
        dst.position(p + n);
    }

    /** Writes {@code src.remaining()} bytes at {@code a} and advances {@code src}'s position. */
    public void write(long a, ByteBuffer src) {
        int n = src.remaining();
        int o = offset(a, n);
        int p = src.position();
        memory.put(o, src, p, n);
        src.position(p + n);
    }

    /** Sets {@code len} bytes from {@code a} to {@code value}. */
    public void fill(long a, long len, byte value) {
        int o = offset(a, len);
        int n = (int) len;
        long pattern = (value & 0xFFL) * 0x0101_0101_0101_0101L;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            memory.putLong(o + i, pattern);
        }
        for (; i < n; i++) {
            memory.put(o + i, value);
        }
    }

    /**
     * A little-endian view of {@code [a, a + len)} for zero-copy use. The view shares the window's
     * memory and cannot reach outside the range.
     */
    public ByteBuffer slice(long a, int len) {
        int o = offset(a, len);
        return memory.slice(o, len).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String toString() {
        return "DmaWindow" + describe();
    }
}
