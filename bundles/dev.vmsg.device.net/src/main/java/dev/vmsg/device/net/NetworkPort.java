package dev.vmsg.device.net;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One virtio-net device as its driver offers it: an Ethernet port that sends and receives whole
 * frames (destination MAC, source MAC, EtherType, payload; no FCS). Registered as an OSGi service
 * with {@code vmsg.bus.name}, {@code vmsg.device.number}, {@code vmsg.device.type} (1) and
 * {@code vmsg.net.mac}.
 *
 * <p>Sending copies each frame into a transmit slot in the bus window and makes it available to
 * the device; a frame the port accepted is on its way (the device may still drop it: link down,
 * no receiver, and counts that on its side). Sending never blocks except in
 * {@link #send(ByteBuffer, Duration)}. When the device goes away every call throws
 * {@code dev.vmsg.driver.VirtioDeviceException} with reason REMOVED, and a blocked sender wakes
 * with it.
 *
 * <p>Receiving: either a {@link FrameHandler} set with {@link #setReceiver} is called on the
 * device's driver thread for every frame, or, without one, frames wait in a bounded backlog for
 * {@link #receive(FrameHandler, int)} (polling; frames beyond the backlog are dropped and counted).
 *
 * <p>Thread-safe.
 */
@ProviderType
public interface NetworkPort {

    /** The bus the device sits on. */
    String busName();

    /** The device number on its bus. */
    int deviceNumber();

    /** The port's MAC address (6 bytes, a fresh copy). */
    byte[] mac();

    /** The MAC address as {@code 02:00:00:00:00:01}. */
    String macAddress();

    /** The MTU: the largest payload after the 14-byte Ethernet header. */
    int mtu();

    /** The largest frame {@link #send} takes: MTU + 14, or + 18 for an 802.1Q-tagged frame. */
    default int maxFrameSize(boolean vlanTagged) {
        return mtu() + (vlanTagged ? 18 : 14);
    }

    /** Whether the device reports its link up (VIRTIO_NET_S_LINK_UP; always up without VIRTIO_NET_F_STATUS). */
    boolean linkUp();

    /**
     * Sends one frame if a transmit slot is free.
     *
     * @param frame the bytes from position to limit; the position advances past them when sent
     * @return false (nothing sent, nothing consumed) when every slot is in flight
     * @throws IllegalArgumentException when the frame is shorter than 14 bytes or longer than
     *                                  {@link #maxFrameSize}
     */
    boolean trySend(ByteBuffer frame);

    /**
     * Sends frames {@code frames[offset] .. frames[offset + count - 1]} in order, as many as slots
     * are free, with one notification of the device for the batch when it asks for one.
     *
     * @return how many frames (from the first) were sent; the rest were not touched
     * @throws IllegalArgumentException for a frame of a bad length; the frames before it were sent
     */
    int send(ByteBuffer[] frames, int offset, int count);

    /**
     * Sends one frame, waiting at most {@code timeout} for a transmit slot.
     *
     * @throws dev.vmsg.driver.VirtioDeviceException TIMEOUT when no slot came free in time, REMOVED
     *                                               when the device went away
     */
    void send(ByteBuffer frame, Duration timeout);

    /**
     * Sets the receiver that is called for every frame on the driver thread, or null to go back to
     * polling. Frames already waiting in the backlog are handed to it first.
     */
    void setReceiver(FrameHandler receiver);

    /**
     * Polling: hands at most {@code max} waiting frames to {@code handler} on the calling thread.
     *
     * @return how many frames were handed over (0 when none waits)
     */
    int receive(FrameHandler handler, int max);

    /** What the port counted so far. */
    PortCounters counters();
}
