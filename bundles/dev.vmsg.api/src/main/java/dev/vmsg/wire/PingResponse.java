package dev.vmsg.wire;

/** Bus PING response (0x03): the request's {@code data}, echoed exactly. Spec §1.4. */
public record PingResponse(int data) implements BusMessage {

    @Override
    public int msgId() {
        return MessageIds.BUS_PING;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }
}
