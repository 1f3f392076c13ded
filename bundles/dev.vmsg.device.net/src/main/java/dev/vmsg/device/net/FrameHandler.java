package dev.vmsg.device.net;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/** Takes received Ethernet frames from a {@link NetworkPort}. */
@ConsumerType
@FunctionalInterface
public interface FrameHandler {

    /**
     * One received Ethernet frame (destination MAC first, no virtio-net header, no FCS), from its
     * position to its limit. The buffer is a read-only view that is only valid during this call
     * (it may lie in the bus window and be reused for the next frame): copy what you keep.
     * Called on the device's driver thread, which also returns transmit slots: answer with
     * {@code trySend}, never with a send that waits for a slot.
     */
    void frame(ByteBuffer frame);
}
