package dev.vmsg.wire;

/**
 * GET_VQUEUE response (0x09): the state of one virtqueue. {@code maxSize} 0 means the queue does not exist,
 * {@code size} 0 means it is unconfigured; {@code flags} holds {@link VqueueFlags#ENABLED}. Spec §1.3.
 *
 * <p>RFC3 and RFC2 have no flags field (decision 11.6): decoding sets {@code flags = ENABLED} when {@code size != 0},
 * encoding writes the reserved field (RFC3) as 0 and drops the flags.
 */
public record GetVqueueResponse(int index, int maxSize, int size, int flags, long descriptorAddr, long driverAddr,
        long deviceAddr) implements TransportMessage {

    /** Whether {@link VqueueFlags#ENABLED} is set. */
    public boolean enabled() {
        return (flags & VqueueFlags.ENABLED) != 0;
    }

    @Override
    public int msgId() {
        return MessageIds.GET_VQUEUE;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.RESPONSE;
    }
}
