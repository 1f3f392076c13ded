package dev.vmsg.wire;

/**
 * Payload layouts: every offset or size that differs between profiles (spec §1.3, §1.4, §1.5).
 * Offsets are relative to the payload. Everything not here is the same in all profiles.
 */
final class Layout {
    /** REV1 GET_DEVICE_INFO response: ids, 16-byte UUID, five u32. */
    static final int DEVICE_INFO_REV1 = 44;
    /** RFC3/RFC2 GET_DEVICE_INFO response: ids, num_feature_bits, config_size, max_virtqueues, two u16. */
    static final int DEVICE_INFO_2025 = 24;
    /** REV1 GET_SHM response: shmid, reserved, u64 length, u64 address. */
    static final int SHM_REV1 = 24;
    /** RFC3/RFC2 GET_SHM response: index, u32 length, u32 address. */
    static final int SHM_2025 = 12;
    /** GET_DEVICES response: offset, count, next_offset (u16 each, order per profile), then the bitmap. */
    static final int DEVICES_FIXED = 6;

    private Layout() {
    }

    static int deviceInfoSize(WireProfile p) {
        return p == WireProfile.REV1 ? DEVICE_INFO_REV1 : DEVICE_INFO_2025;
    }

    static int shmSize(WireProfile p) {
        return p == WireProfile.REV1 ? SHM_REV1 : SHM_2025;
    }

    /** GET/SET_VQUEUE: the three u64 addresses start at 16 (reserved/flags u32 at 12) or at 12 in RFC2. */
    static int vqueueAddrs(WireProfile p) {
        return p == WireProfile.RFC2 ? 12 : 16;
    }

    /** Payload size of GET_VQUEUE responses and SET_VQUEUE requests: 40, or 36 in RFC2. */
    static int vqueueSize(WireProfile p) {
        return vqueueAddrs(p) + 24;
    }

    /** GET_DEVICES response: REV1 has next_offset at 2 and count at 4; 2025 profiles the other way round. */
    static int devicesCount(WireProfile p) {
        return p == WireProfile.REV1 ? 4 : 2;
    }

    static int devicesNextOffset(WireProfile p) {
        return p == WireProfile.REV1 ? 2 : 4;
    }
}
