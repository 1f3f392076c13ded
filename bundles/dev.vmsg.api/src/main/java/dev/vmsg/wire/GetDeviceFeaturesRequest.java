package dev.vmsg.wire;

/** GET_DEVICE_FEATURES request (0x03): asks for {@code numBlocks} 32-bit feature blocks starting at {@code blockIndex}. Spec §1.3. */
public record GetDeviceFeaturesRequest(int blockIndex, int numBlocks) implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.GET_DEVICE_FEATURES;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }
}
