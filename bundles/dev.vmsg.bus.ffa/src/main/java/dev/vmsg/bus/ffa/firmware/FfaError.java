package dev.vmsg.bus.ffa.firmware;

/** FF-A status codes (DEN0077, "FFA_ERROR" status values). */
public enum FfaError {
    NOT_SUPPORTED(-1),
    INVALID_PARAMETERS(-2),
    NO_MEMORY(-3),
    BUSY(-4),
    INTERRUPTED(-5),
    DENIED(-6),
    RETRY(-7),
    ABORTED(-8),
    NO_DATA(-9);

    private final int code;

    FfaError(int code) {
        this.code = code;
    }

    /** The signed status code returned in w2 of FFA_ERROR. */
    public int code() {
        return code;
    }
}
