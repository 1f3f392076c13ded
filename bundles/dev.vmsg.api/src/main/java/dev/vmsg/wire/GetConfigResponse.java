package dev.vmsg.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * GET_CONFIG response (0x05): {@code length} bytes of config space at {@code offset}, read at config {@code generation}. The array is not copied: treat it as read-only. Spec §1.3.
 */
public record GetConfigResponse(int generation, int offset, int length, byte[] data) implements TransportMessage {

    /** @throws IllegalArgumentException if {@code data.length} is length (the record must say what goes on the wire) */
    public GetConfigResponse {
        Objects.requireNonNull(data, "data");
        if (data.length != length) {
            throw new IllegalArgumentException("length " + Integer.toUnsignedString(length) + " does not match "
                    + data.length + " data bytes");
        }
    }

    @Override
    public int msgId() {
        return MessageIds.GET_CONFIG;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GetConfigResponse r && r.generation == generation && r.offset == offset && r.length == length
                && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (generation) + offset) + length) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "GetConfigResponse[" + "generation=" + Integer.toUnsignedString(generation) + ", offset=" + Integer.toUnsignedString(offset) + ", length=" + Integer.toUnsignedString(length) + ", data=" + Hex.bytes(data) + "]";
    }
}
