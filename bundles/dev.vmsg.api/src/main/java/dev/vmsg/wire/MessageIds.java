package dev.vmsg.wire;

/**
 * Message ids (header {@code msg_id}). Transport and bus ids are separate name spaces told apart by type bit 1.
 * Bit 6 marks an event, bit 7 an implementation-defined (bus-specific) id. Spec §1.1, §1.2, §1.4.
 */
public final class MessageIds {
    public static final int GET_DEVICE_INFO = 0x02;
    public static final int GET_DEVICE_FEATURES = 0x03;
    public static final int SET_DRIVER_FEATURES = 0x04;
    public static final int GET_CONFIG = 0x05;
    public static final int SET_CONFIG = 0x06;
    public static final int GET_DEVICE_STATUS = 0x07;
    public static final int SET_DEVICE_STATUS = 0x08;
    public static final int GET_VQUEUE = 0x09;
    public static final int SET_VQUEUE = 0x0A;
    /** Only valid when VIRTIO_F_RING_RESET was negotiated. */
    public static final int RESET_VQUEUE = 0x0B;
    public static final int GET_SHM = 0x0C;
    public static final int EVENT_CONFIG = 0x40;
    public static final int EVENT_AVAIL = 0x41;
    public static final int EVENT_USED = 0x42;

    public static final int BUS_GET_DEVICES = 0x02;
    public static final int BUS_PING = 0x03;
    public static final int BUS_EVENT_DEVICE = 0x40;

    /** msg_id bit 6: event (no response). */
    public static final int EVENT_BIT = 0x40;
    /** msg_id bit 7: implementation-defined id (0x80..0xBF requests, 0xC0..0xFF events). */
    public static final int IMPLEMENTATION_DEFINED_BIT = 0x80;

    private MessageIds() {
    }

    /** The spec name of an id, e.g. "GET_VQUEUE" or "BUS_PING", or a hex form such as "0x0D" if it has none. */
    public static String name(boolean bus, int id) {
        if (bus) {
            switch (id) {
                case BUS_GET_DEVICES: return "BUS_GET_DEVICES";
                case BUS_PING: return "BUS_PING";
                case BUS_EVENT_DEVICE: return "BUS_EVENT_DEVICE";
                default: return String.format("bus 0x%02X", id);
            }
        }
        switch (id) {
            case GET_DEVICE_INFO: return "GET_DEVICE_INFO";
            case GET_DEVICE_FEATURES: return "GET_DEVICE_FEATURES";
            case SET_DRIVER_FEATURES: return "SET_DRIVER_FEATURES";
            case GET_CONFIG: return "GET_CONFIG";
            case SET_CONFIG: return "SET_CONFIG";
            case GET_DEVICE_STATUS: return "GET_DEVICE_STATUS";
            case SET_DEVICE_STATUS: return "SET_DEVICE_STATUS";
            case GET_VQUEUE: return "GET_VQUEUE";
            case SET_VQUEUE: return "SET_VQUEUE";
            case RESET_VQUEUE: return "RESET_VQUEUE";
            case GET_SHM: return "GET_SHM";
            case EVENT_CONFIG: return "EVENT_CONFIG";
            case EVENT_AVAIL: return "EVENT_AVAIL";
            case EVENT_USED: return "EVENT_USED";
            default: return String.format("0x%02X", id);
        }
    }
}
