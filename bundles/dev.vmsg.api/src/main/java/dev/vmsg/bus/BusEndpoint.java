package dev.vmsg.bus;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/** One side of a bus: sends frames to the peer side and delivers the peer's frames to a receiver. */
@ConsumerType
public interface BusEndpoint {

    BusInfo info();

    /**
     * Starts delivering incoming frames to {@code receiver}, or hands delivery over to a new
     * receiver (a transport that was restarted). Frames that arrived before are delivered then.
     */
    void open(FrameReceiver receiver);

    /**
     * Stops delivering to {@code receiver} if it is the current one; frames that arrive while no
     * receiver is attached are dropped (the peer's requests then time out). The bus stays up.
     */
    void detach(FrameReceiver receiver);

    /**
     * Sends one frame (the bytes between position and limit). The bus copies the frame before it
     * returns, so the caller may reuse the buffer; the frame's position is left unchanged.
     * Delivery to the peer is asynchronous.
     *
     * @throws BusException when the bus is closed, the peer is gone, the frame is larger than the
     *     bus maximum, or the bus stays full past its send timeout
     */
    void send(ByteBuffer frame);

    /** Stops delivery; later sends fail with {@link BusException.Reason#CLOSED}. Idempotent. */
    void close();
}
