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
     * Takes this side's frames on the caller's thread instead of a delivery thread: frames wait in
     * the bus until {@link #poll} hands them to {@code receiver}. For callers that busy-poll anyway
     * (a request/response loop, a benchmark), it saves a thread hand-off per frame. Optional.
     *
     * @throws UnsupportedOperationException when the bus delivers on its own thread only
     * @throws IllegalStateException when this side already delivers on a thread
     */
    default void openPolled(FrameReceiver receiver) {
        throw new UnsupportedOperationException("bus " + info().name() + " delivers on its own thread only");
    }

    /**
     * Hands up to {@code maxFrames} waiting frames to the receiver given to {@link #openPolled},
     * on the calling thread (one polling thread at a time).
     *
     * @return how many frames were handed over
     * @throws UnsupportedOperationException when the bus delivers on its own thread only
     * @throws IllegalStateException when this side was not opened with {@link #openPolled}
     */
    default int poll(int maxFrames) {
        throw new UnsupportedOperationException("bus " + info().name() + " delivers on its own thread only");
    }

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
