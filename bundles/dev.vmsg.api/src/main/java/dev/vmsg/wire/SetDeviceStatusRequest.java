package dev.vmsg.wire;

/** SET_DEVICE_STATUS request (0x08): the cumulative status to write; 0 resets the device. Spec §1.3, §2.3. */
public record SetDeviceStatusRequest(int status) implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.SET_DEVICE_STATUS;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }
}
