package dev.vmsg.wire;

/** RESET_VQUEUE response (0x0B), empty payload. Spec §1.3. */
public record ResetVqueueResponse() implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.RESET_VQUEUE;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }
}
