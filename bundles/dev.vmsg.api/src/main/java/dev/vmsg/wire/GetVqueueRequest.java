package dev.vmsg.wire;

/** GET_VQUEUE request (0x09) for virtqueue {@code index}. Spec §1.3. */
public record GetVqueueRequest(int index) implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.GET_VQUEUE;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }
}
