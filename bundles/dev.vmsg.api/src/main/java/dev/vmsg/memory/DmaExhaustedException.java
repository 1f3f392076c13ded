package dev.vmsg.memory;

/** A {@link DmaAllocator} has no free range large enough for a request. */
public final class DmaExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long requested;

    public DmaExhaustedException(String message, long requested) {
        super(message);
        this.requested = requested;
    }

    /** The size that was asked for, after rounding to the granularity. */
    public long requested() {
        return requested;
    }
}
