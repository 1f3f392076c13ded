package dev.vmsg.wire;

/** Bus EVENT_DEVICE (0x40): device {@code deviceNumber} changed to {@code state} (see {@link DeviceBusState}; 1 is ADDED, called READY in 2025). Both u16. Spec §1.4. */
public record EventDevice(int deviceNumber, int state) implements BusMessage {

    @Override
    public int msgId() {
        return MessageIds.BUS_EVENT_DEVICE;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.EVENT;
    }
}
