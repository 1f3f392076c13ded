package dev.vmsg.bus.fifo.internal;

/** The state in bits 0..4 of a vmamp_shmem queue head's status (spec 6.3). */
enum LinkState {
    INIT(0), READY(1), RUN(2), SHUTDOWN(3), PEER_DEAD(4);

    /** Status bits that hold the state; bit 15 is DEBUGGABLE. */
    static final int STATE_MASK = 0x1F;

    final int code;

    LinkState(int code) {
        this.code = code;
    }

    /** The state in {@code status}, or null for a value the layout does not define. */
    static LinkState of(int status) {
        int s = status & STATE_MASK;
        for (LinkState state : values()) {
            if (state.code == s) {
                return state;
            }
        }
        return null;
    }
}
