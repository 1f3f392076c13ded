package dev.vmsg.device.blk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes behind a block device: a file or memory. Every call names an absolute position; the
 * store itself refuses any range outside {@code [0, capacity())}, so a bug above it still cannot
 * reach outside the image.
 */
interface BlockStore extends AutoCloseable {

    /** Size in bytes, a multiple of 512. */
    long capacity();

    /** Fills {@code dst.remaining()} bytes from {@code position}. */
    void read(long position, ByteBuffer dst) throws IOException;

    /** Writes {@code src.remaining()} bytes at {@code position}. */
    void write(long position, ByteBuffer src) throws IOException;

    /** Sets {@code length} bytes from {@code position} to zero. */
    void zero(long position, long length) throws IOException;

    /** Makes written data durable. */
    void flush() throws IOException;

    @Override
    void close() throws IOException;

    /** The range check every store applies before touching its bytes. */
    static void checkRange(long capacity, long position, long length) throws IOException {
        if (position < 0 || length < 0 || length > capacity || position > capacity - length) {
            throw new IOException("range [" + position + ", +" + length + ") is outside the store of " + capacity
                    + " bytes");
        }
    }
}
