package dev.vmsg.wire;

/** GET_CONFIG request (0x05): reads {@code length} bytes of device config space at {@code offset}. Spec §1.3. */
public record GetConfigRequest(int offset, int length) implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.GET_CONFIG;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }
}
