package dev.vmsg.wire;

/**
 * Device-independent virtio feature bit numbers (virtio 1.3 §6). Bits 0..23 are device-type specific. Spec §9 notes:
 * always negotiate VERSION_1, never offer NOTIF_CONFIG_DATA on this transport.
 */
public final class FeatureBits {
    public static final int VIRTIO_F_INDIRECT_DESC = 28;
    public static final int VIRTIO_F_EVENT_IDX = 29;
    public static final int VIRTIO_F_VERSION_1 = 32;
    public static final int VIRTIO_F_ACCESS_PLATFORM = 33;
    public static final int VIRTIO_F_RING_PACKED = 34;
    public static final int VIRTIO_F_IN_ORDER = 35;
    public static final int VIRTIO_F_ORDER_PLATFORM = 36;
    public static final int VIRTIO_F_SR_IOV = 37;
    public static final int VIRTIO_F_NOTIFICATION_DATA = 38;
    /** Must not be offered on virtio-msg [S-2026]. */
    public static final int VIRTIO_F_NOTIF_CONFIG_DATA = 39;
    /** Enables RESET_VQUEUE. */
    public static final int VIRTIO_F_RING_RESET = 40;
    public static final int VIRTIO_F_ADMIN_VQ = 41;

    private FeatureBits() {
    }

    /** The name of a feature bit, e.g. "VIRTIO_F_VERSION_1", or "bit 5" for bits without a device-independent name. */
    public static String name(int bit) {
        switch (bit) {
            case VIRTIO_F_INDIRECT_DESC: return "VIRTIO_F_INDIRECT_DESC";
            case VIRTIO_F_EVENT_IDX: return "VIRTIO_F_EVENT_IDX";
            case VIRTIO_F_VERSION_1: return "VIRTIO_F_VERSION_1";
            case VIRTIO_F_ACCESS_PLATFORM: return "VIRTIO_F_ACCESS_PLATFORM";
            case VIRTIO_F_RING_PACKED: return "VIRTIO_F_RING_PACKED";
            case VIRTIO_F_IN_ORDER: return "VIRTIO_F_IN_ORDER";
            case VIRTIO_F_ORDER_PLATFORM: return "VIRTIO_F_ORDER_PLATFORM";
            case VIRTIO_F_SR_IOV: return "VIRTIO_F_SR_IOV";
            case VIRTIO_F_NOTIFICATION_DATA: return "VIRTIO_F_NOTIFICATION_DATA";
            case VIRTIO_F_NOTIF_CONFIG_DATA: return "VIRTIO_F_NOTIF_CONFIG_DATA";
            case VIRTIO_F_RING_RESET: return "VIRTIO_F_RING_RESET";
            case VIRTIO_F_ADMIN_VQ: return "VIRTIO_F_ADMIN_VQ";
            default: return "bit " + bit;
        }
    }
}
