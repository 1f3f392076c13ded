package dev.vmsg.device.console.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One virtio-console control message (§5.3.6.2): {@code le32 id, le16 event, le16 value}, followed
 * for PORT_NAME by the name bytes and for RESIZE by {@code le16 cols, le16 rows}.
 *
 * @param id    the port number
 * @param event one of the {@link VirtioConsole} event codes
 * @param value event argument (1 = yes/open/success, 0 = no/closed/failure)
 * @param extra the bytes after the header (never null)
 */
record ControlMessage(int id, int event, int value, byte[] extra) {

    static final int HEADER_SIZE = 8;
    private static final byte[] NONE = new byte[0];

    ControlMessage {
        extra = extra == null ? NONE : extra;
    }

    static ControlMessage of(int id, int event, int value) {
        return new ControlMessage(id, event, value, NONE);
    }

    static ControlMessage name(int id, String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length > VirtioConsole.MAX_NAME_BYTES) {
            b = java.util.Arrays.copyOf(b, VirtioConsole.MAX_NAME_BYTES);
        }
        return new ControlMessage(id, VirtioConsole.PORT_NAME, 1, b);
    }

    static ControlMessage resize(int id, int cols, int rows) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) cols).putShort((short) rows);
        return new ControlMessage(id, VirtioConsole.RESIZE, 0, b.array());
    }

    int encodedSize() {
        return HEADER_SIZE + extra.length;
    }

    /** Writes the message in wire order at {@code dst}'s position. */
    void encode(ByteBuffer dst) {
        ByteOrder o = dst.order();
        dst.order(ByteOrder.LITTLE_ENDIAN);
        dst.putInt(id).putShort((short) event).putShort((short) value).put(extra);
        dst.order(o);
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(encodedSize());
        encode(b);
        return b.array();
    }

    /**
     * Reads a message from {@code src} (position to limit), keeping at most {@code maxExtra} bytes
     * after the header.
     *
     * @return the message, or null when fewer than {@value #HEADER_SIZE} bytes are there
     */
    static ControlMessage decode(ByteBuffer src, int maxExtra) {
        if (src.remaining() < HEADER_SIZE) {
            return null;
        }
        ByteBuffer b = src.slice().order(ByteOrder.LITTLE_ENDIAN);
        int id = b.getInt();
        int event = b.getShort() & 0xFFFF;
        int value = b.getShort() & 0xFFFF;
        byte[] extra = new byte[Math.min(b.remaining(), maxExtra)];
        b.get(extra);
        return new ControlMessage(id, event, value, extra);
    }

    /** The name carried by PORT_NAME: UTF-8 up to the first NUL, control characters replaced. */
    String nameText() {
        int n = 0;
        while (n < extra.length && extra[n] != 0) {
            n++;
        }
        String s = new String(extra, 0, n, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }

    /** RESIZE's {cols, rows}, or null when the message is too short. */
    int[] size() {
        if (extra.length < 4) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(extra).order(ByteOrder.LITTLE_ENDIAN);
        return new int[] {b.getShort() & 0xFFFF, b.getShort() & 0xFFFF};
    }

    @Override
    public String toString() {
        return VirtioConsole.eventName(event) + "(port " + Integer.toUnsignedString(id) + ", value " + value
                + (extra.length > 0 ? ", +" + extra.length + " bytes" : "") + ")";
    }
}
