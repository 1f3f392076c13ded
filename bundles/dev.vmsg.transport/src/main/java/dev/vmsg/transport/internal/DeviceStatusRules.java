package dev.vmsg.transport.internal;

import static dev.vmsg.wire.DeviceStatus.ACKNOWLEDGE;
import static dev.vmsg.wire.DeviceStatus.DEVICE_NEEDS_RESET;
import static dev.vmsg.wire.DeviceStatus.DRIVER;
import static dev.vmsg.wire.DeviceStatus.DRIVER_OK;
import static dev.vmsg.wire.DeviceStatus.FAILED;
import static dev.vmsg.wire.DeviceStatus.FEATURES_OK;

/**
 * Which SET_DEVICE_STATUS writes a device accepts (virtio 1.x §2.1 and §3.1.1, spec section 2.2):
 * 0 resets; otherwise the driver may only add bits, in the order ACKNOWLEDGE, DRIVER, FEATURES_OK,
 * DRIVER_OK, and may set FAILED at any time. DEVICE_NEEDS_RESET is the device's bit: the driver
 * may only echo it back.
 */
final class DeviceStatusRules {

    /** Bits a driver may set. */
    static final int DRIVER_BITS = ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK | FAILED;

    private DeviceStatusRules() {
    }

    /**
     * Checks a write of {@code requested} over {@code current} (not a reset).
     *
     * @return null when allowed, else why not
     */
    static String refusal(int current, int requested) {
        if ((requested & ~0xFF) != 0) {
            return "bits above the status byte set (0x" + Integer.toHexString(requested) + ")";
        }
        if ((requested & DEVICE_NEEDS_RESET) != 0 && (current & DEVICE_NEEDS_RESET) == 0) {
            return "the driver may not set DEVICE_NEEDS_RESET";
        }
        int req = requested & ~DEVICE_NEEDS_RESET;
        if ((req & ~DRIVER_BITS) != 0) {
            return "reserved status bits set (0x" + Integer.toHexString(req & ~DRIVER_BITS) + ")";
        }
        int cur = current & DRIVER_BITS;
        if ((req & cur) != cur) {
            return "status cannot clear bits without a reset (0x" + Integer.toHexString(cur) + " -> 0x"
                    + Integer.toHexString(req) + ")";
        }
        if ((req & DRIVER) != 0 && (req & ACKNOWLEDGE) == 0) {
            return "DRIVER without ACKNOWLEDGE";
        }
        if ((req & FEATURES_OK) != 0 && (req & DRIVER) == 0) {
            return "FEATURES_OK without DRIVER";
        }
        if ((req & DRIVER_OK) != 0 && (req & FEATURES_OK) == 0) {
            return "DRIVER_OK without FEATURES_OK";
        }
        return null;
    }
}
