package dev.vmsg.wire;

/**
 * The common header of a received message, fields as unsigned values. {@code type} holds only bits 0..1 (bits 2..7
 * are reserved and ignored on receive); {@code token} is 0 for profiles without a token. Spec §1.1.
 */
public record Header(int type, int msgId, int devNum, int token, int msgSize) {

    /** Type bit 0: this is a response. */
    public boolean isResponse() {
        return (type & 1) != 0;
    }

    /** Type bit 1: this is a bus message (dev_num is 0). */
    public boolean isBusMessage() {
        return (type & 2) != 0;
    }

    /** msg_id bit 6: the id is in an event range (0x40..0x7F standard, 0xC0..0xFF implementation-defined). */
    public boolean isEvent() {
        return (msgId & 0x40) != 0;
    }

    /** msg_id bit 7: the id is implementation-defined (for bus messages: defined by the bus). */
    public boolean isImplementationDefined() {
        return (msgId & 0x80) != 0;
    }
}
