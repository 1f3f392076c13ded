package dev.vmsg.driver;

import dev.vmsg.wire.FeatureSet;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The driver of one device type, registered as an OSGi service. The driver transport binds it to
 * every device whose device id it names, at discovery or hot-plug.
 */
@ConsumerType
public interface VirtioDriver {

    /** The virtio device type this driver drives. */
    int deviceId();

    /** Device-type feature bits the driver understands (transport bits are handled by the transport). */
    FeatureSet supportedFeatures();

    /**
     * Names of the device-type feature bits of this device type (bit number to name), so
     * administration shows features by name. Default: none.
     *
     * @since 1.1
     */
    default java.util.Map<Integer, String> featureNames() {
        return java.util.Map.of();
    }

    /**
     * Takes a device that has reached FEATURES_OK: open queues, read config. The transport sets
     * DRIVER_OK when this returns and then calls {@link DriverInstance#ready()}.
     *
     * @throws VirtioDeviceException (or any runtime exception) to refuse the device; it is marked FAILED
     */
    DriverInstance probe(VirtioDevice device);
}
