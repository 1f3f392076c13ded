package dev.vmsg.wire;

/** The 2026 (REV1) flags of GET_VQUEUE responses and SET_VQUEUE requests. Spec §1.3. */
public final class VqueueFlags {
    /** GET_VQUEUE response bit 0: the queue is enabled. The only valid bit there. */
    public static final int ENABLED = 1 << 0;
    /** Valid bits of GET_VQUEUE response flags. */
    public static final int GET_VALID_MASK = ENABLED;

    /** SET_VQUEUE bits[1:0]: the state operation. */
    public static final int STATE_MASK = 0x3;
    /** State operation 0: leave the queue disabled. */
    public static final int KEEP_DISABLED = 0;
    /** State operation 1: enable the queue (what drivers send). */
    public static final int ENABLE = 1;
    /** State operation 2: keep the current state. State 3 is reserved. */
    public static final int KEEP = 2;
    /** SET_VQUEUE bit 2: leave the size unchanged. */
    public static final int SIZE_IGNORE = 1 << 2;
    /** SET_VQUEUE bit 3: leave the descriptor table address unchanged. */
    public static final int DESC_ADDR_IGNORE = 1 << 3;
    /** SET_VQUEUE bit 4: leave the driver ring address unchanged. */
    public static final int DRIVER_ADDR_IGNORE = 1 << 4;
    /** SET_VQUEUE bit 5: leave the device ring address unchanged. */
    public static final int DEVICE_ADDR_IGNORE = 1 << 5;
    /** Valid bits of SET_VQUEUE flags; the others are reserved (state value 3 is reserved too). */
    public static final int SET_VALID_MASK = STATE_MASK | SIZE_IGNORE | DESC_ADDR_IGNORE | DRIVER_ADDR_IGNORE
            | DEVICE_ADDR_IGNORE;

    /** Same as {@link #SET_VALID_MASK}. */
    public static final int VALID_MASK = SET_VALID_MASK;

    private VqueueFlags() {
    }
}
