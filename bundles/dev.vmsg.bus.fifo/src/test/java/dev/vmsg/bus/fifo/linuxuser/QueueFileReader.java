package dev.vmsg.bus.fifo.linuxuser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A plain reader and writer of one queue file, written from the layout alone (spec 6.1/6.2: u32
 * head at 0, u32 tail at 64, 64-byte slots from 128, little-endian) with ordinary file reads and
 * writes, not through {@link SpscQueue}: what a test compares the bus's bytes against.
 */
final class QueueFileReader {

    static final int HEAD_AT = 0;
    static final int TAIL_AT = 64;
    static final int SLOTS_AT = 128;
    static final int SLOT = 64;
    static final int SLOTS = 4096;

    private final Path path;

    QueueFileReader(Path path) {
        this.path = path;
    }

    long head() throws IOException {
        return u32(HEAD_AT);
    }

    long tail() throws IOException {
        return u32(TAIL_AT);
    }

    void setHead(long v) throws IOException {
        putU32(HEAD_AT, v);
    }

    void setTail(long v) throws IOException {
        putU32(TAIL_AT, v);
    }

    /** The 64 bytes of slot {@code k}. */
    byte[] slot(int k) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SLOT);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.read(b, SLOTS_AT + (long) k * SLOT);
        }
        return b.array();
    }

    /** Writes {@code message} at the start of slot {@code k} (the rest of the slot is left as it is). */
    void putSlot(int k, byte[] message) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(message), SLOTS_AT + (long) k * SLOT);
        }
    }

    /** msg_size of an 8-byte header: u16 at byte 6. */
    static int msgSize(byte[] slot) {
        return (slot[6] & 0xFF) | (slot[7] & 0xFF) << 8;
    }

    private long u32(long at) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.read(b, at);
        }
        return Integer.toUnsignedLong(b.getInt(0));
    }

    private void putU32(long at, long v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) v);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.write(b, at);
        }
    }
}
