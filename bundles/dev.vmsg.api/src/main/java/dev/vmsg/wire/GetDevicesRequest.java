package dev.vmsg.wire;

/** Bus GET_DEVICES request (0x02): asks which device numbers in {@code [offset, offset+count)} exist; both u16 and multiples of 8. Spec §1.4. */
public record GetDevicesRequest(int offset, int count) implements BusMessage {

    @Override
    public int msgId() {
        return MessageIds.BUS_GET_DEVICES;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }
}
