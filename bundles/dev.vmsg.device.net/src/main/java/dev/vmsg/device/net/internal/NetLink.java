package dev.vmsg.device.net.internal;

import java.nio.ByteBuffer;

/**
 * One device's attachment to a network backend (a port of an {@link L2Switch}, a
 * {@link UdpTunnel}): where the frames it transmits go. Called on the device thread only.
 */
interface NetLink {

    /** One frame the device transmitted, from position to limit; only valid during the call. */
    void transmit(ByteBuffer frame);

    /** The device finished a batch of transmissions: wake the receivers this batch fed, once each. */
    void flush();

    /** Detaches from the backend; frames for the device are no longer delivered. Idempotent. */
    void close();

    /** For messages and the shell: {@code switch:sw0 port 2}, {@code udp:127.0.0.1:5000->127.0.0.1:5001}. */
    String describe();
}
