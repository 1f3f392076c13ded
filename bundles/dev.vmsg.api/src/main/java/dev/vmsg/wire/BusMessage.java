package dev.vmsg.wire;

/**
 * A standard message of the bus itself (type bit 1 set, dev_num always 0). Bus-specific ids 0x80..0xFF are not
 * modelled here: a bus reads the header first and handles those itself. Spec §1.4.
 */
public sealed interface BusMessage extends Message permits
        GetDevicesRequest, GetDevicesResponse, PingRequest, PingResponse, EventDevice {

    @Override
    default int type() {
        return kind() == MessageKind.RESPONSE ? MessageType.BUS_RESPONSE : MessageType.BUS_REQUEST;
    }
}
