package dev.vmsg.virtqueue;

import dev.vmsg.memory.DmaWindow;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;

/**
 * One validated chain popped by a {@link DeviceVirtqueue}: the private copies of its data
 * descriptors in chain order (an indirect table is expanded in place; the descriptor that points
 * at it is not listed). Every range was checked against the DMA window when the chain was popped,
 * readable descriptors all come before writable ones, and the total is under the device's cap.
 *
 * <p>Not thread-safe; used by the device thread that popped it.
 */
public final class DescriptorChain {
    private final DmaWindow window;
    private final int head;
    private final List<Descriptor> descriptors;
    private final long readableLength;
    private final long writableLength;

    DescriptorChain(DmaWindow window, int head, List<Descriptor> descriptors, long readableLength,
            long writableLength) {
        this.window = window;
        this.head = head;
        this.descriptors = Collections.unmodifiableList(descriptors);
        this.readableLength = readableLength;
        this.writableLength = writableLength;
    }

    /** The head descriptor index: what {@link DeviceVirtqueue#pushUsed(int, int)} takes. */
    public int head() {
        return head;
    }

    /** The private descriptor copies, in chain order. */
    public List<Descriptor> descriptors() {
        return descriptors;
    }

    /** Total bytes of the device-readable descriptors. */
    public long readableLength() {
        return readableLength;
    }

    /** Total bytes of the device-writable descriptors. */
    public long writableLength() {
        return writableLength;
    }

    /** Gathers readable bytes from the start into {@code dst}; returns how many were copied. */
    public int readFrom(ByteBuffer dst) {
        return readFrom(0, dst);
    }

    /**
     * Gathers readable bytes starting {@code readableOffset} bytes into the readable part, up to
     * {@code dst.remaining()}; returns how many were copied (0 past the end).
     */
    public int readFrom(long readableOffset, ByteBuffer dst) {
        if (readableOffset < 0) {
            throw new IllegalArgumentException("negative offset " + readableOffset);
        }
        return transfer(false, readableOffset, dst);
    }

    /** Scatters {@code src} into the writable descriptors from the start; returns bytes written. */
    public int writeTo(ByteBuffer src) {
        return writeTo(0, src);
    }

    /**
     * Scatters {@code src} into the writable part starting {@code writableOffset} bytes in, up to
     * the writable length; returns bytes written. {@code src} advances by that count.
     */
    public int writeTo(long writableOffset, ByteBuffer src) {
        if (writableOffset < 0) {
            throw new IllegalArgumentException("negative offset " + writableOffset);
        }
        return transfer(true, writableOffset, src);
    }

    private int transfer(boolean toWindow, long skip, ByteBuffer buf) {
        int done = 0;
        int limit = buf.limit();
        try {
            for (int i = 0, n = descriptors.size(); i < n && buf.hasRemaining(); i++) {
                Descriptor d = descriptors.get(i);
                if (d.isWritable() != toWindow) {
                    continue;
                }
                long len = d.lengthUnsigned();
                if (skip >= len) {
                    skip -= len;
                    continue;
                }
                long avail = len - skip;
                int chunk = (int) Math.min(avail, buf.remaining());
                buf.limit(buf.position() + chunk);
                if (toWindow) {
                    window.write(d.address() + skip, buf);
                } else {
                    window.read(d.address() + skip, buf);
                }
                buf.limit(limit);
                done += chunk;
                skip = 0;
            }
        } finally {
            buf.limit(limit);
        }
        return done;
    }

    @Override
    public String toString() {
        return "DescriptorChain[head=" + head + ", descriptors=" + descriptors.size() + ", readable="
                + readableLength + ", writable=" + writableLength + "]";
    }
}
