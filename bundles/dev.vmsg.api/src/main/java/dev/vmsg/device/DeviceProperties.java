package dev.vmsg.device;

/** Service properties of a {@link VirtioDeviceBackend} service, and shared identifiers. */
public final class DeviceProperties {

    /** The name of the bus the device sits on; a device configuration sets it. */
    public static final String BUS = "bus";

    /** The device instance name (for example {@code rng0}); unique per bus. */
    public static final String NAME = "name";

    /** Optional fixed device number on the bus; the transport picks the lowest free one without it. */
    public static final String NUMBER = "number";

    /** The virtio device type of a backend or driver service (an Integer). */
    public static final String DEVICE_TYPE = "vmsg.device.type";

    /** The device number on a driver-side service such as an EntropySource. */
    public static final String DEVICE_NUMBER = "vmsg.device.number";

    /** Vendor id vmsg devices report: "vmsg" in little-endian byte order. */
    public static final int VMSG_VENDOR_ID = 0x67736D76;

    private DeviceProperties() {
    }
}
