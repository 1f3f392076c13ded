package dev.vmsg.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian absolute access to a ByteBuffer whatever its {@code order()}, without changing the buffer's state.
 * Plain get/set through a byte-buffer view VarHandle is defined for misaligned indexes (the RFC2 header puts u32
 * fields at odd multiples of 2). Callers check bounds first.
 */
final class Le {
    private static final VarHandle U16 = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U64 = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Le() {
    }

    static int u8(ByteBuffer b, int index) {
        return b.get(index) & 0xFF;
    }

    static int u16(ByteBuffer b, int index) {
        return Short.toUnsignedInt((short) U16.get(b, index));
    }

    /** A u32 held in an int (use Integer.toUnsignedLong to compare). */
    static int u32(ByteBuffer b, int index) {
        return (int) U32.get(b, index);
    }

    static long u64(ByteBuffer b, int index) {
        return (long) U64.get(b, index);
    }

    static void put8(ByteBuffer b, int index, int value) {
        b.put(index, (byte) value);
    }

    static void put16(ByteBuffer b, int index, int value) {
        U16.set(b, index, (short) value);
    }

    static void put32(ByteBuffer b, int index, int value) {
        U32.set(b, index, value);
    }

    static void put64(ByteBuffer b, int index, long value) {
        U64.set(b, index, value);
    }

    static void zero(ByteBuffer b, int index, int length) {
        for (int i = 0; i < length; i++) {
            b.put(index + i, (byte) 0);
        }
    }
}
