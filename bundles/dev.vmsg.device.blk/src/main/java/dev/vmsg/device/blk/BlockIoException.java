package dev.vmsg.device.blk;

/**
 * The device answered a block request with an error status: {@code IOERR} (the request was bad or
 * the I/O failed) or {@code UNSUPP} (the device does not do this). Device removal and timeouts are
 * {@link dev.vmsg.driver.VirtioDeviceException}s instead.
 */
public final class BlockIoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The virtio-blk status values a request can fail with (virtio 1.x §5.2.6). */
    public enum Status {
        /** VIRTIO_BLK_S_IOERR (1). */
        IOERR,
        /** VIRTIO_BLK_S_UNSUPP (2). */
        UNSUPP
    }

    private final Status status;

    public BlockIoException(Status status, String message) {
        super(message);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
