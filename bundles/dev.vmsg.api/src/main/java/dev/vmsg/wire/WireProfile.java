package dev.vmsg.wire;

/**
 * The wire layouts a bus instance speaks. Everything not listed here (message ids, status and feature
 * semantics, little-endian byte order) is shared by all profiles. Spec §1.5 and §9.
 */
public enum WireProfile {
    /** 2026 revision 1 ([L-POC2]/[Q-POC2]): 8-byte header with token, UUID in GET_DEVICE_INFO, vqueue flags, u64 GET_SHM. The target profile. */
    REV1(8, true, 52),
    /** Dec-2025 layouts ([S-RFC3]/[S-PR28]): 8-byte header with token, reserved u32 at payload offset 12 of GET/SET_VQUEUE. */
    RFC3(8, true, 48),
    /** Jun-2025 layouts ([S-RFC2], Linux RFC v1): 6-byte header without token, u64 fields at payload offset 12 of GET/SET_VQUEUE. */
    RFC2(6, false, 44);

    private final int headerSize;
    private final boolean hasToken;
    private final int minimumBusMessageSize;

    WireProfile(int headerSize, boolean hasToken, int minimumBusMessageSize) {
        this.headerSize = headerSize;
        this.hasToken = hasToken;
        this.minimumBusMessageSize = minimumBusMessageSize;
    }

    /** Size of the common header in bytes: 8, 8, 6. */
    public int headerSize() {
        return headerSize;
    }

    /** Whether the header carries the 16-bit correlation token. */
    public boolean hasToken() {
        return hasToken;
    }

    /**
     * The smallest maximum message size a bus of this profile may advertise: the largest fixed-size message of the
     * profile (REV1 52 = GET_DEVICE_INFO response; RFC3 48 = GET/SET_VQUEUE; RFC2 44 = the spec's stated minimum).
     */
    public int minimumBusMessageSize() {
        return minimumBusMessageSize;
    }
}
