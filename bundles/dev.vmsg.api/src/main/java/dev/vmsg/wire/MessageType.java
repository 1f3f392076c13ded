package dev.vmsg.wire;

/** Values of the header {@code type} field (bit 0 = response, bit 1 = bus message; bits 2..7 reserved). Spec §1.1. */
public final class MessageType {
    /** Transport request or event. */
    public static final int TRANSPORT_REQUEST = 0x00;
    public static final int TRANSPORT_RESPONSE = 0x01;
    /** Bus request or event. */
    public static final int BUS_REQUEST = 0x02;
    public static final int BUS_RESPONSE = 0x03;

    /** Type bit 0. */
    public static final int RESPONSE_BIT = 0x01;
    /** Type bit 1. */
    public static final int BUS_BIT = 0x02;
    /** Bits 0..1; the rest are reserved, sent as 0 and ignored on receive. */
    public static final int VALID_MASK = 0x03;

    private MessageType() {
    }
}
