package dev.vmsg.bus.ffa.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One VFFAFIFO ring (spec section 4.5) in FF-A shared memory: a 192-byte header (magic
 * "VFFAFIFO" @0, version u16 @8, message_size u16 @16, depth u16 @18, next_offset u32 @24,
 * read_index u16 @64, write_index u16 @128) followed by depth slots of message_size bytes.
 * Single producer, single consumer; one slot is kept free (full when (write + 1) % depth == read).
 */
final class VffaFifo {

    static final int HEADER_SIZE = 0xC0;
    static final int MIN_MESSAGE_SIZE = 104;
    static final byte[] MAGIC = "VFFAFIFO".getBytes(StandardCharsets.US_ASCII);
    static final int OFF_VERSION = 8;
    static final int OFF_MESSAGE_SIZE = 16;
    static final int OFF_DEPTH = 18;
    static final int OFF_NEXT = 24;
    static final int OFF_READ = 64;
    static final int OFF_WRITE = 128;

    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer region;
    private final int base;
    private final int messageSize;
    private final int depth;

    private VffaFifo(ByteBuffer region, int base, int messageSize, int depth) {
        this.region = region;
        this.base = base;
        this.messageSize = messageSize;
        this.depth = depth;
    }

    /** Total bytes of a ring with these parameters. */
    static int ringSize(int messageSize, int depth) {
        return HEADER_SIZE + messageSize * depth;
    }

    /** Writes a fresh ring header at {@code base} of {@code region} (indices 0). */
    static VffaFifo format(ByteBuffer region, int base, int messageSize, int depth, int nextOffset) {
        ByteBuffer r = region.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < HEADER_SIZE; i++) {
            r.put(base + i, (byte) 0);
        }
        r.put(base, MAGIC);
        r.putShort(base + OFF_VERSION, (short) 0);
        r.putShort(base + OFF_MESSAGE_SIZE, (short) messageSize);
        r.putShort(base + OFF_DEPTH, (short) depth);
        r.putInt(base + OFF_NEXT, nextOffset);
        return attach(region, base);
    }

    /**
     * Validates the header the peer wrote at {@code base} and attaches to the ring.
     *
     * @throws IllegalArgumentException naming the first field that is wrong
     */
    static VffaFifo attach(ByteBuffer region, int base) {
        ByteBuffer r = region.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (base < 0 || base > r.capacity() - HEADER_SIZE) {
            throw new IllegalArgumentException("VFFAFIFO ring at " + base + " does not fit the " + r.capacity()
                    + "-byte region");
        }
        byte[] magic = new byte[8];
        r.get(base, magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException("VFFAFIFO ring at " + base + ": bad magic");
        }
        int version = r.getShort(base + OFF_VERSION) & 0xFFFF;
        int messageSize = r.getShort(base + OFF_MESSAGE_SIZE) & 0xFFFF;
        int depth = r.getShort(base + OFF_DEPTH) & 0xFFFF;
        if (version != 0) {
            throw new IllegalArgumentException("VFFAFIFO ring at " + base + ": version " + version + ", 0 expected");
        }
        if (messageSize < MIN_MESSAGE_SIZE) {
            throw new IllegalArgumentException("VFFAFIFO ring at " + base + ": message_size " + messageSize + " < "
                    + MIN_MESSAGE_SIZE);
        }
        if (depth == 0 || (long) base + ringSize(messageSize, depth) > r.capacity()) {
            throw new IllegalArgumentException("VFFAFIFO ring at " + base + ": depth " + depth
                    + " of " + messageSize + "-byte slots does not fit the region");
        }
        return new VffaFifo(region.duplicate().order(ByteOrder.LITTLE_ENDIAN), base, messageSize, depth);
    }

    int nextOffset() {
        return region.getInt(base + OFF_NEXT);
    }

    int depth() {
        return depth;
    }

    int messageSize() {
        return messageSize;
    }

    private int readIndex() {
        return (short) SHORT.getAcquire(region, base + OFF_READ) & 0xFFFF;
    }

    private int writeIndex() {
        return (short) SHORT.getAcquire(region, base + OFF_WRITE) & 0xFFFF;
    }

    boolean isFull() {
        return (writeIndex() + 1) % depth == readIndex();
    }

    /**
     * Producer: zero-fills the next slot, copies the message, publishes write_index.
     *
     * @return false when the ring is full
     * @throws IllegalStateException when the peer corrupted an index (protocol error)
     */
    boolean offer(ByteBuffer message) {
        int len = message.remaining();
        if (len > messageSize || len > MIN_MESSAGE_SIZE) {
            throw new IllegalArgumentException("message of " + len + " bytes exceeds the " + MIN_MESSAGE_SIZE
                    + "-byte FF-A bus limit");
        }
        int w = writeIndex();
        int r = readIndex();
        checkIndex(w, "write");
        checkIndex(r, "read");
        if ((w + 1) % depth == r) {
            return false;
        }
        int slot = base + HEADER_SIZE + w * messageSize;
        for (int i = 0; i < messageSize; i++) {
            region.put(slot + i, (byte) 0);
        }
        region.put(slot, message, message.position(), len);
        SHORT.setRelease(region, base + OFF_WRITE, (short) ((w + 1) % depth));
        return true;
    }

    /**
     * Consumer: copies the next message into {@code dst} (cleared first) and frees its slot.
     * A slot whose msg_size is below a header or above the slot and the bus limit is skipped.
     *
     * @return the message length, 0 for a skipped slot, -1 when the ring is empty
     */
    int poll(ByteBuffer dst) {
        int r = readIndex();
        int w = writeIndex();
        checkIndex(w, "write");
        checkIndex(r, "read");
        if (r == w) {
            return -1;
        }
        int slot = base + HEADER_SIZE + r * messageSize;
        int size = region.getShort(slot + 6) & 0xFFFF;
        int got = 0;
        dst.clear();
        if (size >= FfaBusMessages.HEADER && size <= Math.min(messageSize, MIN_MESSAGE_SIZE)) {
            dst.put(0, region, slot, size);
            dst.limit(size);
            got = size;
        }
        SHORT.setRelease(region, base + OFF_READ, (short) ((r + 1) % depth));
        return got;
    }

    private void checkIndex(int index, String which) {
        if (index >= depth) {
            throw new IllegalStateException("VFFAFIFO ring at " + base + ": " + which + "_index " + index
                    + " >= depth " + depth + " (protocol error)");
        }
    }
}
