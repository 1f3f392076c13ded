package dev.vmsg.driver;

/** A driver-side operation on a device failed. Says which device, what and why. */
public final class VirtioDeviceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why an operation failed. */
    public enum Reason {
        /** The device did not answer within the deadline; it is marked broken. */
        TIMEOUT,
        /** The device was removed (hot-unplug, bus gone, bundle stopped). */
        REMOVED,
        /** The device is broken (protocol violation, failed init, needs reset). */
        BROKEN,
        /** The device refused the operation (config write rejected, queue not accepted). */
        REJECTED,
        /** The device answered with something the protocol does not allow. */
        PROTOCOL,
        /** The queue has no free descriptors for the chain. */
        QUEUE_FULL
    }

    private final Reason reason;

    public VirtioDeviceException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public VirtioDeviceException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
