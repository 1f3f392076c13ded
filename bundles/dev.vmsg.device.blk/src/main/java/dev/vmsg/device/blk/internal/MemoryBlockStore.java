package dev.vmsg.device.blk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A block store in heap memory (tests, scratch disks): at most 1 GiB. */
final class MemoryBlockStore implements BlockStore {

    private final ByteBuffer bytes;

    MemoryBlockStore(int capacity) {
        if (capacity < VirtioBlk.SECTOR_SIZE || capacity % VirtioBlk.SECTOR_SIZE != 0 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("memory store size must be a multiple of 512 in 512..1 GiB: " + capacity);
        }
        this.bytes = ByteBuffer.allocate(capacity);
    }

    @Override
    public long capacity() {
        return bytes.capacity();
    }

    @Override
    public synchronized void read(long position, ByteBuffer dst) throws IOException {
        BlockStore.checkRange(capacity(), position, dst.remaining());
        int n = dst.remaining();
        dst.put(dst.position(), bytes, (int) position, n);
        dst.position(dst.position() + n);
    }

    @Override
    public synchronized void write(long position, ByteBuffer src) throws IOException {
        BlockStore.checkRange(capacity(), position, src.remaining());
        int n = src.remaining();
        bytes.put((int) position, src, src.position(), n);
        src.position(src.position() + n);
    }

    @Override
    public synchronized void zero(long position, long length) throws IOException {
        BlockStore.checkRange(capacity(), position, length);
        java.util.Arrays.fill(bytes.array(), (int) position, (int) (position + length), (byte) 0);
    }

    @Override
    public void flush() {
        // Memory is as durable as it gets.
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "memory (" + capacity() + " bytes)";
    }
}
