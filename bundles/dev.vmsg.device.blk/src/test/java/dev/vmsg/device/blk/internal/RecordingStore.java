package dev.vmsg.device.blk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A store that records every access and fails the test on any range outside its capacity. */
final class RecordingStore implements BlockStore {

    final BlockStore inner;
    long reads;
    long writes;
    long zeroes;
    long flushes;
    String outside;
    volatile boolean failWrites;

    RecordingStore(BlockStore inner) {
        this.inner = inner;
    }

    private void check(String what, long position, long length) {
        if (position < 0 || length < 0 || length > inner.capacity() || position > inner.capacity() - length) {
            outside = what + " [" + position + ", +" + length + ") outside " + inner.capacity();
            throw new AssertionError(outside);
        }
    }

    @Override
    public long capacity() {
        return inner.capacity();
    }

    @Override
    public void read(long position, ByteBuffer dst) throws IOException {
        check("read", position, dst.remaining());
        reads++;
        inner.read(position, dst);
    }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
        check("write", position, src.remaining());
        writes++;
        if (failWrites) {
            throw new IOException("disk on fire");
        }
        inner.write(position, src);
    }

    @Override
    public void zero(long position, long length) throws IOException {
        check("zero", position, length);
        zeroes++;
        inner.zero(position, length);
    }

    @Override
    public void flush() throws IOException {
        flushes++;
        inner.flush();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    long mutations() {
        return writes + zeroes;
    }
}
