package dev.vmsg.wire;

/** EVENT_USED (0x42), device to driver: the device used buffers of virtqueue {@code vqIndex}. Spec §1.3. */
public record EventUsed(int vqIndex) implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.EVENT_USED;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.EVENT;
    }
}
