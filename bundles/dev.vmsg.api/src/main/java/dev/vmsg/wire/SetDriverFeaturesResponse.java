package dev.vmsg.wire;

/** SET_DRIVER_FEATURES response (0x04), empty payload. Rejection shows later as FEATURES_OK cleared. Spec §1.3. */
public record SetDriverFeaturesResponse() implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.SET_DRIVER_FEATURES;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }
}
