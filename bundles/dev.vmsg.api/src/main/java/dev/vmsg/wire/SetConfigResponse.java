package dev.vmsg.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * SET_CONFIG response (0x06): {@code length} 0 means the write was rejected. Echoing the data is optional: {@code data} is either empty or {@code length} bytes. A received response whose msg_size is too short for the echo decodes with empty data. The array is not copied: treat it as read-only. Spec §1.3.
 */
public record SetConfigResponse(int generation, int offset, int length, byte[] data) implements TransportMessage {

    /** @throws IllegalArgumentException if {@code data.length} is neither 0 nor length (the record must say what goes on the wire) */
    public SetConfigResponse {
        Objects.requireNonNull(data, "data");
        if (data.length != length && data.length != 0) {
            throw new IllegalArgumentException("length " + Integer.toUnsignedString(length) + " does not match "
                    + data.length + " data bytes");
        }
    }

    @Override
    public int msgId() {
        return MessageIds.SET_CONFIG;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetConfigResponse r && r.generation == generation && r.offset == offset && r.length == length
                && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (generation) + offset) + length) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SetConfigResponse[" + "generation=" + Integer.toUnsignedString(generation) + ", offset=" + Integer.toUnsignedString(offset) + ", length=" + Integer.toUnsignedString(length) + ", data=" + Hex.bytes(data) + "]";
    }
}
