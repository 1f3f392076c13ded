package dev.vmsg.bus.ffa.firmware;

/**
 * The FF-A v1.1+ partition message header at the start of a TX/RX buffer for FFA_MSG_SEND2
 * (little-endian): flags u32 @0, reserved u32 @4, offset u32 @8 (of the payload from the buffer
 * start), send_recv_id u32 @12 (sender in bits 31..16, receiver in 15..0), size u32 @16.
 */
public final class PartitionMessage {

    public static final int FLAGS = 0;
    public static final int OFFSET = 8;
    public static final int SEND_RECV_ID = 12;
    public static final int SIZE = 16;
    public static final int HEADER_SIZE = 20;
    /** Where the binding puts its payload: right after the header, 8-byte aligned. */
    public static final int PAYLOAD_OFFSET = 24;

    private PartitionMessage() {
    }

    public static int sendRecvId(int sender, int receiver) {
        return (sender & 0xFFFF) << 16 | (receiver & 0xFFFF);
    }
}
