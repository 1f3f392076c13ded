package dev.vmsg.wire;

/** GET_DEVICE_INFO request (0x02), empty payload. The only message allowed to an inactive device. Spec §1.3. */
public record GetDeviceInfoRequest() implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.GET_DEVICE_INFO;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }
}
