package dev.vmsg.wire;

/** Virtio device status bits (the low 8 bits of the status u32). Writing 0 resets the device. Spec §2.2, §2.3. */
public final class DeviceStatus {
    public static final int RESET = 0x00;
    public static final int ACKNOWLEDGE = 0x01;
    public static final int DRIVER = 0x02;
    public static final int DRIVER_OK = 0x04;
    public static final int FEATURES_OK = 0x08;
    public static final int DEVICE_NEEDS_RESET = 0x40;
    public static final int FAILED = 0x80;

    private static final int[] ORDER = {ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK, DEVICE_NEEDS_RESET, FAILED};
    private static final String[] NAMES = {"ACKNOWLEDGE", "DRIVER", "FEATURES_OK", "DRIVER_OK", "DEVICE_NEEDS_RESET",
        "FAILED"};

    private DeviceStatus() {
    }

    /**
     * The status as names in initialisation order, e.g. "ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK"; "RESET" for 0;
     * unknown bits as hex, e.g. "DRIVER|0x10".
     */
    public static String describe(int status) {
        if (status == 0) {
            return "RESET";
        }
        StringBuilder sb = new StringBuilder();
        int rest = status;
        for (int i = 0; i < ORDER.length; i++) {
            if ((status & ORDER[i]) != 0) {
                sb.append(sb.length() == 0 ? "" : "|").append(NAMES[i]);
                rest &= ~ORDER[i];
            }
        }
        if (rest != 0) {
            sb.append(sb.length() == 0 ? "" : "|").append("0x").append(Integer.toHexString(rest));
        }
        return sb.toString();
    }
}
