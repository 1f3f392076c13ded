package dev.vmsg.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian absolute access to a ByteBuffer whatever its {@code order()}, without changing the buffer's state.
 * Absolute get/put are defined for misaligned indexes (the RFC2 header puts u32 fields at odd multiples of 2).
 * Callers check bounds first.
 *
 * <p>Goes through the buffer's own absolute accessors rather than a byte-buffer view VarHandle: for a direct buffer
 * they compile to a plain off-heap access, so the JIT loads the buffer's address and limit once per message instead
 * of once per field. That keeps a whole encode or decode small enough to inline into its caller.
 */
final class Le {
    private Le() {
    }

    private static boolean little(ByteBuffer b) {
        return b.order() == ByteOrder.LITTLE_ENDIAN;
    }

    static int u8(ByteBuffer b, int index) {
        return b.get(index) & 0xFF;
    }

    static int u16(ByteBuffer b, int index) {
        short v = b.getShort(index);
        return Short.toUnsignedInt(little(b) ? v : Short.reverseBytes(v));
    }

    /** A u32 held in an int (use Integer.toUnsignedLong to compare). */
    static int u32(ByteBuffer b, int index) {
        int v = b.getInt(index);
        return little(b) ? v : Integer.reverseBytes(v);
    }

    static long u64(ByteBuffer b, int index) {
        long v = b.getLong(index);
        return little(b) ? v : Long.reverseBytes(v);
    }

    static void put8(ByteBuffer b, int index, int value) {
        b.put(index, (byte) value);
    }

    static void put16(ByteBuffer b, int index, int value) {
        b.putShort(index, little(b) ? (short) value : Short.reverseBytes((short) value));
    }

    static void put32(ByteBuffer b, int index, int value) {
        b.putInt(index, little(b) ? value : Integer.reverseBytes(value));
    }

    static void put64(ByteBuffer b, int index, long value) {
        b.putLong(index, little(b) ? value : Long.reverseBytes(value));
    }

    static void zero(ByteBuffer b, int index, int length) {
        for (int i = 0; i < length; i++) {
            b.put(index + i, (byte) 0);
        }
    }
}
