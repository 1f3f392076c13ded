package dev.vmsg.bus.fifo.linuxuser;

import java.nio.ByteBuffer;

/**
 * Reads and patches the 8-byte header (type, msg_id, dev_num, token, msg_size; little-endian) of a
 * frame at its position, whatever the buffer's byte order. Only profiles with a token ride this bus.
 */
final class Frames {

    static final int HEADER = 8;

    private Frames() {
    }

    static int type(ByteBuffer f) {
        return f.get(f.position()) & 0x03;
    }

    static int msgId(ByteBuffer f) {
        return f.get(f.position() + 1) & 0xFF;
    }

    static int devNum(ByteBuffer f) {
        return u16(f, 2);
    }

    static int token(ByteBuffer f) {
        return u16(f, 4);
    }

    static int msgSize(ByteBuffer f) {
        return u16(f, 6);
    }

    static void setToken(ByteBuffer f, int token) {
        put16(f, 4, token);
    }

    static void setMsgSize(ByteBuffer f, int size) {
        put16(f, 6, size);
    }

    /** Writes a little-endian u32 at {@code offset} from the frame's start. */
    static void setU32(ByteBuffer f, int offset, int v) {
        put16(f, offset, v & 0xFFFF);
        put16(f, offset + 2, v >>> 16);
    }

    private static int u16(ByteBuffer f, int offset) {
        int at = f.position() + offset;
        return (f.get(at) & 0xFF) | (f.get(at + 1) & 0xFF) << 8;
    }

    private static void put16(ByteBuffer f, int offset, int v) {
        int at = f.position() + offset;
        f.put(at, (byte) v);
        f.put(at + 1, (byte) (v >>> 8));
    }
}
