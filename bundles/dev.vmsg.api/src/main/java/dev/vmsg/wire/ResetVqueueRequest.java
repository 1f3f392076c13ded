package dev.vmsg.wire;

/** RESET_VQUEUE request (0x0B) for virtqueue {@code index}; only valid when VIRTIO_F_RING_RESET was negotiated. Spec §1.3. */
public record ResetVqueueRequest(int index) implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.RESET_VQUEUE;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }
}
