package dev.vmsg.wire;

/** GET_DEVICE_STATUS response (0x07): the virtio status in the low 8 bits (see {@link DeviceStatus}). Spec §1.3. */
public record GetDeviceStatusResponse(int status) implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.GET_DEVICE_STATUS;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }
}
