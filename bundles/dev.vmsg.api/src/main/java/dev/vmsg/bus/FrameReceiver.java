package dev.vmsg.bus;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Takes the frames a bus delivers to one side. A bus calls it from its own delivery thread, never
 * synchronously from the peer's {@link BusEndpoint#send}, and one frame at a time.
 */
@ConsumerType
public interface FrameReceiver {

    /**
     * One received frame, between {@code frame.position()} and {@code frame.limit()}. The buffer
     * is valid only during the call: decode it before returning. Must not throw; a receiver
     * that fails is a bug the bus logs and survives.
     */
    void onFrame(ByteBuffer frame);

    /** The link to the peer is gone (peer died, bus closing): nothing sent will be answered. */
    default void onLinkDown(String reason) {
    }

    /** The link to the peer is (again) up, for buses that can lose and regain their peer. */
    default void onLinkUp() {
    }
}
