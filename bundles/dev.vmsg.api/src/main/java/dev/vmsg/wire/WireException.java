package dev.vmsg.wire;

/**
 * A message could not be encoded or decoded. The {@link #reason()} says which rule was broken; the message text gives
 * the msg_id and sizes involved. The spec has no error message on the wire: a receiver drops and counts such
 * frames (HARDENING rule 8). Thrown without a stack trace, because hostile peers can make it frequent and the reason
 * and text identify the problem completely.
 */
public final class WireException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a frame or message was refused. */
    public enum Reason {
        /** Fewer bytes are available than the header or msg_size needs. */
        TRUNCATED,
        /** msg_size is below the header size or the minimum of the message. */
        BELOW_MINIMUM,
        /** msg_size is above the bus's maximum message size. */
        OVERSIZED,
        /** The (type, msg_id) pair is not a message this codec knows. */
        UNKNOWN_ID,
        /** An event id was sent with the response type bit. */
        BAD_TYPE,
        /** A header field is invalid, e.g. a bus message with dev_num != 0. */
        BAD_HEADER,
        /** A length or count field asks for more bytes than msg_size holds. */
        INCONSISTENT_LENGTH,
        /** A value does not fit its wire field in this profile (encode). */
        FIELD_OUT_OF_RANGE,
        /** The destination buffer has less room than the encoded message (encode). */
        BUFFER_TOO_SMALL
    }

    private final Reason reason;

    public WireException(Reason reason, String message) {
        super(reason + ": " + message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
