package dev.vmsg.wire;

/** SET_VQUEUE response (0x0A), empty payload. Spec §1.3. */
public record SetVqueueResponse() implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.SET_VQUEUE;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }
}
