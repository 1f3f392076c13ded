package dev.vmsg.wire;

/** SET_DEVICE_STATUS response (0x08): the resulting status, which may lack FEATURES_OK or have DEVICE_NEEDS_RESET. Spec §1.3. */
public record SetDeviceStatusResponse(int status) implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.SET_DEVICE_STATUS;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }
}
