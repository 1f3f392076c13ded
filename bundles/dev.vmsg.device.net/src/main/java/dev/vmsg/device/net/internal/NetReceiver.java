package dev.vmsg.device.net.internal;

import java.nio.ByteBuffer;

/** The receive side of a device as a network backend reaches it. Any thread. */
interface NetReceiver {

    /**
     * Queues one frame for the device (copied; the buffer is not moved). A refused frame is
     * counted by the receiver.
     *
     * @return false when the device dropped it (not running, backlog full, too long)
     */
    boolean deliver(ByteBuffer frame);

    /** Frames were delivered: let the device move them into its receive queue (coalesced). */
    void wake();
}
