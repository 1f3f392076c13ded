package dev.vmsg.wire;

/** Device states in bus EVENT_DEVICE. 0x0003..0x7FFF reserved, 0x8000..0xFFFF implementation-defined. Spec §1.4. */
public final class DeviceBusState {
    /** The device appeared (called READY in 2025; same value, decision 11.7). */
    public static final int ADDED = 0x0001;
    public static final int REMOVED = 0x0002;

    private DeviceBusState() {
    }
}
