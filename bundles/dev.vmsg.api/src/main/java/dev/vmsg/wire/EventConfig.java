package dev.vmsg.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * EVENT_CONFIG (0x40), device to driver: config or status changed. {@code length} 0 means "generation changed, re-read with GET_CONFIG"; DEVICE_NEEDS_RESET in {@code deviceStatus} asks the driver to reset. The array is not copied: treat it as read-only. Spec §1.3.
 */
public record EventConfig(int deviceStatus, int generation, int offset, int length, byte[] data) implements TransportMessage {

    /** @throws IllegalArgumentException if {@code data.length} is length (the record must say what goes on the wire) */
    public EventConfig {
        Objects.requireNonNull(data, "data");
        if (data.length != length) {
            throw new IllegalArgumentException("length " + Integer.toUnsignedString(length) + " does not match "
                    + data.length + " data bytes");
        }
    }

    @Override
    public int msgId() {
        return MessageIds.EVENT_CONFIG;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.EVENT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventConfig r && r.deviceStatus == deviceStatus && r.generation == generation && r.offset == offset && r.length == length
                && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (31 * (deviceStatus) + generation) + offset) + length) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "EventConfig[" + "deviceStatus=" + Integer.toUnsignedString(deviceStatus) + ", generation=" + Integer.toUnsignedString(generation) + ", offset=" + Integer.toUnsignedString(offset) + ", length=" + Integer.toUnsignedString(length) + ", data=" + Hex.bytes(data) + "]";
    }
}
