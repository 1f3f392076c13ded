package dev.vmsg.bus.fifo.internal;

/** A shared region does not hold a vmamp_shmem v1 layout vmsg can use; the message says what is wrong. */
final class LayoutException extends Exception {

    private static final long serialVersionUID = 1L;

    LayoutException(String message) {
        super(message);
    }
}
