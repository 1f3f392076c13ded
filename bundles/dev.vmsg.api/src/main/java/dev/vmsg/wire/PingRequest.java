package dev.vmsg.wire;

/** Bus PING request (0x03); the peer echoes {@code data}. Spec §1.4. */
public record PingRequest(int data) implements BusMessage {

    @Override
    public int msgId() {
        return MessageIds.BUS_PING;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }
}
