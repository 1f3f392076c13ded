package dev.vmsg.wire;

/**
 * SET_VQUEUE request (0x0A): configures virtqueue {@code index} with {@code size} descriptors and the bus addresses of
 * its descriptor table, driver (avail) ring and device (used) ring. {@code flags} is the 2026 state operation and
 * ignore bits (see {@link VqueueFlags}); drivers send {@link VqueueFlags#ENABLE}. Spec §1.3.
 *
 * <p>RFC3 and RFC2 have no flags field (decision 11.6): a 2025 SET_VQUEUE enables the queue, so decoding yields
 * {@code flags = ENABLE} and encoding ignores the flags (the reserved fields are written as 0).
 */
public record SetVqueueRequest(int index, int flags, int size, long descriptorAddr, long driverAddr, long deviceAddr)
        implements TransportMessage {

    @Override
    public int msgId() {
        return MessageIds.SET_VQUEUE;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }
}
