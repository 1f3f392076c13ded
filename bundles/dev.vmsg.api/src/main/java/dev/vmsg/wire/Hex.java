package dev.vmsg.wire;

import java.util.HexFormat;

/** Hex rendering for the toString of messages that carry arrays. */
final class Hex {
    private static final HexFormat FORMAT = HexFormat.of();

    private Hex() {
    }

    static String bytes(byte[] data) {
        return "[" + FORMAT.formatHex(data) + "]";
    }

    static String words(int[] words) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < words.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append("0x").append(FORMAT.toHexDigits(words[i]));
        }
        return sb.append(']').toString();
    }
}
