package dev.vmsg.device;

import dev.vmsg.virtqueue.DeviceVirtqueue;
import dev.vmsg.wire.FeatureSet;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A device model: what a device type implements to be hosted on a bus by the device transport.
 * Register it as an OSGi service with the properties in {@link DeviceProperties}; the device
 * transport attaches it to the bus its {@value DeviceProperties#BUS} property names.
 *
 * <p>The transport owns the protocol: status machine, feature negotiation, config generation,
 * queue setup and validation. It calls the backend only on the device's own executor, one call
 * at a time, so a backend needs no locking for its queue state. A backend must not throw: a
 * runtime exception is contained by the transport, which marks the device as needing reset.
 */
@ConsumerType
public interface VirtioDeviceBackend {

    /** The virtio device type (see {@code dev.vmsg.wire.DeviceIds}). */
    int deviceId();

    /** The vendor id reported in GET_DEVICE_INFO. */
    default int vendorId() {
        return DeviceProperties.VMSG_VENDOR_ID;
    }

    /**
     * Device-type feature bits this device offers. The transport adds the transport-level bits it
     * implements itself (VERSION_1, EVENT_IDX, RING_RESET, ACCESS_PLATFORM).
     */
    FeatureSet features();

    /**
     * Names of the device-type feature bits this device type defines (bit number to name, e.g.
     * {@code 6 -> "VIRTIO_BLK_F_BLK_SIZE"}), so administration shows features by name. Transport
     * bits are named by {@link dev.vmsg.wire.FeatureBits#name}. Default: none.
     *
     * @since 1.1
     */
    default java.util.Map<Integer, String> featureNames() {
        return java.util.Map.of();
    }

    /** Number of virtqueues, at least 1. */
    int numQueues();

    /** Largest size the driver may give queue {@code index}: a power of two, 1..32768. */
    int queueMaxSize(int index);

    /** Size of the device-specific config space in bytes (0 when there is none). */
    int configSize();

    /**
     * Copies {@code dst.remaining()} bytes of config space starting at {@code offset}. The
     * transport has checked that the range lies inside {@link #configSize()}.
     */
    default void readConfig(int offset, ByteBuffer dst) {
        while (dst.hasRemaining()) {
            dst.put((byte) 0);
        }
    }

    /**
     * Applies a driver write of {@code src.remaining()} bytes at {@code offset} (range checked),
     * all or nothing.
     *
     * @return false to reject the write (nothing applied)
     */
    default boolean writeConfig(int offset, ByteBuffer src) {
        return false;
    }

    /** Whether the device accepts the driver's feature selection (FEATURES_OK). */
    default boolean acceptFeatures(FeatureSet driverFeatures) {
        return true;
    }

    /** The driver set DRIVER_OK: the enabled queues in {@code context} are live. */
    void driverOk(DeviceContext context);

    /**
     * The driver made buffers available in {@code queue} (EVENT_AVAIL). Pop chains, process them,
     * push them used; the transport sends EVENT_USED afterwards when the ring asks for it.
     */
    void queueNotified(DeviceContext context, DeviceVirtqueue queue);

    /** Queue {@code index} was reset by the driver (RESET_VQUEUE): forget its in-flight work. */
    default void queueReset(int index) {
    }

    /**
     * The device is reset (status 0) or is being removed: stop using every queue and drop
     * in-flight work. After this the backend may be started again by a new DRIVER_OK.
     */
    void reset();
}
