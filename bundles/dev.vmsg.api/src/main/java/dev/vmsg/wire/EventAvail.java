package dev.vmsg.wire;

/** EVENT_AVAIL (0x41), driver to device: new buffers in virtqueue {@code vqIndex}; {@code nextOffset} is bits[30:0] offset and bit 31 wrap with VIRTIO_F_NOTIFICATION_DATA, otherwise 0. Spec §1.3. */
public record EventAvail(int vqIndex, int nextOffset) implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.EVENT_AVAIL;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.EVENT;
    }
}
