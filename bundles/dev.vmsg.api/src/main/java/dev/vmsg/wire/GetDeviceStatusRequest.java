package dev.vmsg.wire;

/** GET_DEVICE_STATUS request (0x07), empty payload. Spec §1.3. */
public record GetDeviceStatusRequest() implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.GET_DEVICE_STATUS;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }
}
