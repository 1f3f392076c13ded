package dev.vmsg.bus;

/** A frame could not be sent. Says which bus and why. */
public final class BusException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a send failed. */
    public enum Reason {
        /** The endpoint was closed (bus stopped or removed). */
        CLOSED,
        /** The frame is larger than the bus maximum or smaller than a header. */
        BAD_FRAME,
        /** The bus stayed full past the send timeout (the peer is not consuming). */
        SEND_TIMEOUT,
        /** The peer is gone (died, or its link is down). */
        PEER_LOST
    }

    private final Reason reason;

    public BusException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
