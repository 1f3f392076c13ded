package dev.vmsg.device.blk;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A buffer inside the bus's DMA window, for zero-copy I/O: the device reads and writes these
 * bytes directly. Obtained from {@link BlockDevice#allocateBuffer(int)}; close it when done. A
 * buffer dies with its device: after removal {@link #buffer()} throws.
 */
@ProviderType
public interface BlockBuffer extends AutoCloseable {

    /** Size in bytes, a multiple of 512. */
    int size();

    /**
     * A view of the whole buffer (position 0, limit {@link #size()}); each call returns a fresh
     * view of the same memory.
     *
     * @throws IllegalStateException after {@link #close()} or device removal
     */
    ByteBuffer buffer();

    /** Returns the memory to the window; idempotent. The buffer must not be in use by a request. */
    @Override
    void close();
}
