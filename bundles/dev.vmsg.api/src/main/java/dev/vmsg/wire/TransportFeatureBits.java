package dev.vmsg.wire;

/** Transport feature bits, advertised by the bus; separate from virtio device feature bits. Spec §2.1. */
public final class TransportFeatureBits {
    /** Strict config generation: SET_CONFIG carries the last seen generation and stale writes are rejected. */
    public static final int VIRTIO_MSG_F_STRICT_CONFIG_GENERATION = 0;

    private TransportFeatureBits() {
    }
}
