package dev.vmsg.driver;

import dev.vmsg.memory.DmaAllocator;
import dev.vmsg.memory.DmaWindow;
import dev.vmsg.wire.FeatureSet;
import java.util.UUID;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The driver-side handle of one device on one bus, as the driver transport hands it to a
 * {@link VirtioDriver}. Requests to the device are sent one at a time with a deadline; a device
 * that does not answer is marked broken and every waiter gets a {@link VirtioDeviceException}.
 */
@ProviderType
public interface VirtioDevice {

    String busName();

    int deviceNumber();

    int deviceId();

    int vendorId();

    UUID deviceUuid();

    FeatureSet offeredFeatures();

    /** The features both sides agreed on (valid from FEATURES_OK on). */
    FeatureSet negotiatedFeatures();

    int configSize();

    int maxVirtqueues();

    /**
     * Reads {@code length} bytes of config space, in chunks the bus can carry, retrying while the
     * generation changes under the read.
     */
    byte[] readConfig(int offset, int length);

    /** Writes config space; the device applies it whole or rejects it. */
    void writeConfig(int offset, byte[] data);

    /**
     * Sets up virtqueue {@code index} (GET_VQUEUE, rings allocated in the bus window, SET_VQUEUE,
     * GET_VQUEUE to confirm). Only during {@link VirtioDriver#probe}.
     *
     * @param size requested size; capped at the device's maximum, rounded down to a power of two
     * @param listener receives completions on the device's driver-side executor
     */
    Virtqueue openQueue(int index, int size, QueueListener listener);

    /** The bus's DMA window, where every buffer handed to a queue must live. */
    DmaWindow window();

    /** Allocates driver buffers in the window; what a driver allocates it frees on removal. */
    DmaAllocator allocator();

    /** The last status byte the device reported. */
    int status();
}
