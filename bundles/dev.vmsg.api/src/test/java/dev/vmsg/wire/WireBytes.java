package dev.vmsg.wire;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Hex helpers for wire vectors, which the tests spell as hex on purpose. */
final class WireBytes {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();

    private WireBytes() {
    }

    /** "00 0A 01 00" to bytes. */
    static byte[] bytes(String hex) {
        return HEX.parseHex(hex.trim());
    }

    static ByteBuffer buffer(String hex) {
        return ByteBuffer.wrap(bytes(hex));
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** The bytes of {@code b} in [from, to) as "00 0A ..." without touching its position. */
    static String hex(ByteBuffer b, int from, int to) {
        byte[] out = new byte[to - from];
        b.get(from, out);
        return hex(out);
    }
}
